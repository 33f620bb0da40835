// Drawing the network tab: the decision heatmap with its points, the diagram of neurons and weights, the
// loss curves and the warped plane of a 2-unit layer. Pure functions of what the server sent.
import { CLASS_COLOURS, hexToRgb, diverging, decode64, floats } from "./state.js";

const PALETTE = CLASS_COLOURS.map(hexToRgb);

// Colour of a cell: binary as p1 − p0 on the diverging scale, multi-class as the probability-weighted blend of
// the class colours (washed out where the network is unsure), regression as the value on the diverging scale.
function cellColour(data, values, range, k, out) {
  if (data.regression) {
    const v = range[0] + (values[k] / 255) * (range[1] - range[0]);
    return diverging(v);
  }
  const c = data.classes.length;
  if (c === 2) return diverging((values[2 * k + 1] - values[2 * k]) / 255);
  let r = 0, g = 0, b = 0, best = 0;
  for (let j = 0; j < c; j++) {
    const p = values[c * k + j] / 255;
    r += p * PALETTE[j][0]; g += p * PALETTE[j][1]; b += p * PALETTE[j][2];
    best = Math.max(best, p);
  }
  const w = 0.25 + 0.6 * Math.max(0, (best - 1 / c) / (1 - 1 / c));
  out[0] = 255 + (r - 255) * w; out[1] = 255 + (g - 255) * w; out[2] = 255 + (b - 255) * w;
  return out;
}

export function drawHeatmap(canvas, data, frame, showTest) {
  const ctx = canvas.getContext("2d");
  const n = frame.grid.size;
  const values = decode64(frame.grid.values);
  const image = new ImageData(n, n);
  const tmp = [0, 0, 0];
  // The background is paler than the points drawn on it, so a point on its own class's side still shows.
  for (let k = 0; k < n * n; k++) {
    const c = cellColour(data, values, frame.grid.range, k, tmp);
    image.data.set([255 - 0.6 * (255 - c[0]), 255 - 0.6 * (255 - c[1]), 255 - 0.6 * (255 - c[2]), 255], 4 * k);
  }
  const small = new OffscreenCanvas(n, n);
  small.getContext("2d").putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
  drawPoints(ctx, canvas, data, data.train, "#fff");
  if (showTest) drawPoints(ctx, canvas, data, data.test, "#000");
}

export function toCanvas(canvas, data, x, y) {
  const [x0, x1, y0, y1] = data.bounds;
  return [((x - x0) / (x1 - x0)) * canvas.width, ((y1 - y) / (y1 - y0)) * canvas.height];
}

export function fromCanvas(canvas, data, px, py) {
  const [x0, x1, y0, y1] = data.bounds;
  return [x0 + (px / canvas.width) * (x1 - x0), y1 - (py / canvas.height) * (y1 - y0)];
}

export function pointColour(data, label) {
  if (data.regression) return `rgb(${diverging(label).join(",")})`;
  return CLASS_COLOURS[label | 0] || "#000";
}

function drawPoints(ctx, canvas, data, set, stroke) {
  const xy = set.xy, y = set.labels;
  ctx.lineWidth = 1;
  ctx.strokeStyle = stroke;
  for (let i = 0; i < y.length; i++) {
    const [px, py] = toCanvas(canvas, data, xy[2 * i], xy[2 * i + 1]);
    ctx.beginPath();
    ctx.arc(px, py, 3.5, 0, 2 * Math.PI);
    ctx.fillStyle = pointColour(data, y[i]);
    ctx.fill();
    ctx.stroke();
  }
}

// An output node's heatmap: its class's probability (2p − 1 on the diverging scale) or the regression value,
// sampled from the decision grid.
export function drawOutput(canvas, data, frame, index, size = 24) {
  const n = frame.grid.size, values = decode64(frame.grid.values), k = data.regression ? 1 : data.classes.length;
  const bytes = new Float32Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    const cell = Math.floor((y * n) / size) * n + Math.floor((x * n) / size);
    bytes[y * size + x] = values[cell * k + index];
  }
  drawNeuron(canvas, size, bytes, 0);
}

// A neuron's heatmap: bytes on a symmetric scale, 127.5 = 0.
export function drawNeuron(canvas, size, bytes, offset) {
  const image = new ImageData(size, size);
  for (let k = 0; k < size * size; k++) {
    const c = diverging((bytes[offset + k] - 127.5) / 127.5);
    image.data.set([c[0], c[1], c[2], 255], 4 * k);
  }
  canvas.width = size;
  canvas.height = size;
  canvas.getContext("2d").putImageData(image, 0, 0);
}

// The values of a 2-D feature (x1, x1², sin x2, ...) over the plane, for the input column of the diagram.
const FEATURE_FUNCTIONS = {
  x1: (x, y) => x, x2: (x, y) => y, x1sq: (x, y) => x * x, x2sq: (x, y) => y * y,
  x1x2: (x, y) => x * y, sinx1: (x) => Math.sin(x), sinx2: (x, y) => Math.sin(y),
};

export function drawFeature(canvas, name, bounds, size = 20) {
  const f = FEATURE_FUNCTIONS[name];
  const [x0, x1, y0, y1] = bounds;
  const vals = [];
  let m = 1e-6;
  for (let k = 0; k < size * size; k++) {
    const x = x0 + ((x1 - x0) * ((k % size) + 0.5)) / size, y = y1 - ((y1 - y0) * (Math.floor(k / size) + 0.5)) / size;
    const v = f(x, y);
    vals.push(v);
    m = Math.max(m, Math.abs(v));
  }
  const bytes = vals.map((v) => 127.5 + (127.5 * v) / m);
  drawNeuron(canvas, size, bytes, 0);
}

export function drawLossChart(canvas, history) {
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (history.length < 2) return;
  let max = 1e-9;
  for (const h of history) max = Math.max(max, h.train ?? 0, h.test ?? 0);
  const last = history[history.length - 1].epoch || 1;
  const line = (key, colour) => {
    ctx.strokeStyle = colour;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    let started = false;
    for (const h of history) {
      if (h[key] === null || h[key] === undefined) continue;
      const x = (h.epoch / last) * (canvas.width - 2) + 1, y = canvas.height - 2 - (h[key] / max) * (canvas.height - 4);
      if (started) ctx.lineTo(x, y); else { ctx.moveTo(x, y); started = true; }
    }
    ctx.stroke();
  };
  line("train", "#999");
  line("test", "#222");
}

// ConvNetJS's view of a 2-unit layer: the plane's grid lines and the training points, mapped by the layer.
export function drawWarp(canvas, data, warp) {
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const grid = floats(warp.grid), train = floats(warp.train);
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const a of [grid, train]) for (let i = 0; i < a.length; i += 2) {
    x0 = Math.min(x0, a[i]); x1 = Math.max(x1, a[i]); y0 = Math.min(y0, a[i + 1]); y1 = Math.max(y1, a[i + 1]);
  }
  const pad = 12, sx = (canvas.width - 2 * pad) / Math.max(x1 - x0, 1e-6), sy = (canvas.height - 2 * pad) / Math.max(y1 - y0, 1e-6);
  const px = (x) => pad + (x - x0) * sx, py = (y) => canvas.height - pad - (y - y0) * sy;
  ctx.strokeStyle = "rgba(80,80,80,.45)";
  ctx.lineWidth = 1;
  const L = warp.lines, P = warp.points;
  for (let l = 0; l < 2 * L; l++) {
    ctx.beginPath();
    for (let p = 0; p < P; p++) {
      const i = 2 * (l * P + p);
      if (p === 0) ctx.moveTo(px(grid[i]), py(grid[i + 1])); else ctx.lineTo(px(grid[i]), py(grid[i + 1]));
    }
    ctx.stroke();
  }
  const labels = data.train.labels;
  for (let i = 0; i < labels.length; i++) {
    ctx.beginPath();
    ctx.arc(px(train[2 * i]), py(train[2 * i + 1]), 2.5, 0, 2 * Math.PI);
    ctx.fillStyle = pointColour(data, labels[i]);
    ctx.fill();
  }
}
