// The network tab's whole state, and its round trip through the URL's fragment (#dataset=spiral&...), so a
// link reproduces the data, the network and its initial weights (the seed is part of it).

export const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
export const REG_RATES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
export const DROPOUTS = [0, 0.1, 0.2, 0.3, 0.5];
export const SPEEDS = [1, 10, 100, 0]; // epochs per frame; 0 = as fast as the server trains

export function defaults() {
  return {
    dataset: "circle", problem: "classification", noise: 0, trainRatio: 50, samples: 500, batchSize: 10, epochsPerFrame: 10,
    learningRate: 0.03, optimizer: "sgd", regularization: "none", regularizationRate: 0, activation: "tanh",
    features: ["x1", "x2"], layers: [{ neurons: 4, activation: "tanh", dropout: 0 }, { neurons: 2, activation: "tanh", dropout: 0 }],
    seed: 1, points: null, view: [0, 1], showTest: false,
  };
}

const num = (v, d) => (v === null || v === "" || !Number.isFinite(Number(v)) ? d : Number(v));

export function fromUrl(hash) {
  const s = defaults();
  const p = new URLSearchParams(hash.replace(/^#/, ""));
  if (p.has("dataset")) s.dataset = p.get("dataset");
  if (p.has("problem")) s.problem = p.get("problem");
  s.noise = num(p.get("noise"), s.noise);
  s.trainRatio = num(p.get("ratio"), s.trainRatio);
  s.batchSize = num(p.get("batch"), s.batchSize);
  s.epochsPerFrame = num(p.get("speed"), s.epochsPerFrame);
  s.learningRate = num(p.get("lr"), s.learningRate);
  s.regularizationRate = num(p.get("regRate"), s.regularizationRate);
  s.seed = num(p.get("seed"), s.seed);
  if (p.has("opt")) s.optimizer = p.get("opt");
  if (p.has("reg")) s.regularization = p.get("reg");
  if (p.has("act")) s.activation = p.get("act");
  if (p.has("features")) s.features = p.get("features").split(",").filter(Boolean);
  if (p.has("layers")) {
    const text = p.get("layers");
    s.layers = text === "" ? [] : text.split(",").map((l) => {
      const [n, a, d] = l.split(":");
      return { neurons: num(n, 4), activation: a || s.activation, dropout: num(d, 0) };
    });
  }
  if (p.has("points")) {
    s.points = p.get("points").split(";").filter(Boolean).map((t) => t.split(":").map(Number));
  }
  if (p.has("view")) s.view = p.get("view").split(":").map(Number);
  s.showTest = p.get("showTest") === "1";
  return s;
}

export function toUrl(s) {
  const p = new URLSearchParams();
  p.set("dataset", s.dataset);
  p.set("problem", s.problem);
  p.set("noise", s.noise);
  p.set("ratio", s.trainRatio);
  p.set("batch", s.batchSize);
  p.set("speed", s.epochsPerFrame);
  p.set("lr", s.learningRate);
  p.set("opt", s.optimizer);
  p.set("reg", s.regularization);
  p.set("regRate", s.regularizationRate);
  p.set("act", s.activation);
  p.set("features", s.features.join(","));
  p.set("layers", s.layers.map((l) => `${l.neurons}:${l.activation}:${l.dropout}`).join(","));
  p.set("seed", s.seed);
  if (s.dataset === "points" && s.points) p.set("points", s.points.map((q) => q.map((v) => +v.toFixed(2)).join(":")).join(";"));
  if (s.dataset === "csv") p.set("view", s.view.join(":"));
  if (s.showTest) p.set("showTest", "1");
  return "#" + p.toString();
}

// What the server's PUT /network takes.
export function toConfig(s) {
  return {
    dataset: s.dataset, problem: s.problem, noise: s.noise, trainRatio: s.trainRatio, samples: s.samples,
    batchSize: s.batchSize, epochsPerFrame: s.epochsPerFrame, learningRate: s.learningRate, optimizer: s.optimizer, regularization: s.regularization,
    regularizationRate: s.regularizationRate, features: s.features, layers: s.layers, seed: s.seed,
    points: s.dataset === "points" ? s.points : null, view: s.view,
  };
}

// Colours: class 0 orange, class 1 blue (TensorFlow Playground's convention), then eight more for multi-class.
export const CLASS_COLOURS = ["#f59322", "#0877bd", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

export function hexToRgb(hex) {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

// A diverging colour for t in [-1, 1]: orange through white to blue.
const NEG = hexToRgb("#f59322"), POS = hexToRgb("#0877bd"), MID = [232, 234, 235];
export function diverging(t) {
  t = Math.max(-1, Math.min(1, t));
  const [a, w] = t < 0 ? [NEG, -t] : [POS, t];
  return [0, 1, 2].map((i) => Math.round(MID[i] + (a[i] - MID[i]) * w));
}

export function decode64(text) {
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

export const floats = (text) => { const b = decode64(text); return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4); };

export function fmt(v, digits = 3) {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  return Number(v).toFixed(digits);
}
