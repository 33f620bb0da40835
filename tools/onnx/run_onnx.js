// Runs an ONNX model with ONNX Runtime (npm's onnxruntime-node) on one float32 input, for Dendrite's
// export tests: node run_onnx.js model.onnx input.json output.json
// input.json: {"shape": [N, ...], "data": [...]}; output.json gets the first output in the same form.
// Install once with: cd tools/onnx && npm ci --ignore-scripts
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

async function main() {
  const [modelPath, inputPath, outputPath] = process.argv.slice(2);
  if (!outputPath) {
    console.error('usage: node run_onnx.js model.onnx input.json output.json');
    process.exit(2);
  }
  const input = JSON.parse(fs.readFileSync(inputPath, 'utf8'));
  const session = await ort.InferenceSession.create(modelPath);
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', Float32Array.from(input.data), input.shape) };
  const results = await session.run(feeds);
  const output = results[session.outputNames[0]];
  fs.writeFileSync(outputPath, JSON.stringify({ shape: output.dims.map(Number), data: Array.from(output.data) }));
}

main().catch(e => {
  console.error(String(e && e.stack || e));
  process.exit(1);
});
