// The network diagram: a column of input features, one column per hidden layer, the outputs; each node a small
// heatmap of what it computes over the plane, edges coloured by the weight's sign with width by its size.
import { decode64, floats, DROPOUTS } from "./state.js";
import { drawNeuron, drawFeature, drawOutput } from "./render.js";

const HEIGHT = 460, TOP = 64, LEFT = 70, RIGHT = 30;
const ALL_FEATURES = ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"];
const FEATURE_LABELS = { x1: "x₁", x2: "x₂", x1sq: "x₁²", x2sq: "x₂²", x1x2: "x₁x₂", sinx1: "sin(x₁)", sinx2: "sin(x₂)" };

export class Diagram {
  constructor(container, actions, activations) {
    this.container = container;
    this.actions = actions;
    this.activations = activations;
    this.columns = [];
  }

  // Lays the diagram out for the state and the data the server described.
  build(state, data) {
    const c = this.container;
    c.replaceChildren();
    const width = Math.max(c.clientWidth, 420);
    this.edges = document.createElement("canvas");
    this.edges.className = "edges";
    this.edges.width = width;
    this.edges.height = HEIGHT;
    c.append(this.edges);
    const inputs = data.isPlane ? ALL_FEATURES : data.inputs;
    const outputs = data.regression ? ["value"] : data.classes;
    const sizes = [inputs.length, ...state.layers.map((l) => l.neurons), outputs.length];
    const step = (width - LEFT - RIGHT) / (sizes.length - 1);
    this.columns = sizes.map((n, j) => {
      const node = Math.max(6, Math.min(j === sizes.length - 1 ? 22 : 34, Math.floor((HEIGHT - TOP - 10) / n) - 4));
      const x = LEFT + j * step;
      const total = n * (node + 4);
      const top = TOP + Math.max(0, (HEIGHT - TOP - total) / 2);
      return { x, node, ys: Array.from({ length: n }, (_, i) => top + i * (node + 4) + node / 2), canvases: [] };
    });

    // Inputs: on the plane, every feature is shown and a click turns it on or off (as in TensorFlow Playground).
    const inputCol = this.columns[0];
    inputs.forEach((name, i) => {
      const on = data.isPlane ? state.features.includes(name) : true;
      const el = this.node(inputCol, i, data.isPlane ? FEATURE_LABELS[name] : name, "input" + (on ? "" : " off"));
      el.dataset.feature = name;
      if (data.isPlane) {
        drawFeature(inputCol.canvases[i], name, data.bounds);
        el.title = `${FEATURE_LABELS[name]}: click to ${on ? "remove" : "add"}`;
        el.addEventListener("click", () => this.actions.toggleFeature(name));
      }
    });
    state.layers.forEach((layer, j) => {
      const col = this.columns[j + 1];
      for (let i = 0; i < layer.neurons; i++) this.node(col, i, "", "neuron").dataset.layer = j;
      c.append(this.layerHead(col, layer, j));
    });
    const out = this.columns[this.columns.length - 1];
    outputs.forEach((name, i) => this.node(out, i, "", "output").title = `output ${name}`);
    const head = document.createElement("div");
    head.className = "layer-head";
    head.style.left = `${out.x}px`;
    head.textContent = data.regression ? "output" : `${outputs.length} classes`;
    c.append(head);
    this.featureNames = data.isPlane ? ALL_FEATURES.filter((f) => state.features.includes(f)) : inputs;
    this.inputIndex = this.featureNames.map((f) => inputs.indexOf(f));
    this.isPlane = data.isPlane;
  }

  node(col, i, label, kind) {
    const el = document.createElement("div");
    el.className = "node " + kind;
    const s = col.node;
    Object.assign(el.style, { left: `${col.x - s / 2}px`, top: `${col.ys[i] - s / 2}px`, width: `${s}px`, height: `${s}px` });
    const canvas = document.createElement("canvas");
    el.append(canvas);
    col.canvases.push(canvas);
    if (label) {
      const span = document.createElement("span");
      span.className = "label";
      span.textContent = label;
      el.append(span);
    }
    this.container.append(el);
    return el;
  }

  layerHead(col, layer, j) {
    const head = document.createElement("div");
    head.className = "layer-head";
    head.style.left = `${col.x}px`;
    const plus = button("+", `Add a neuron to layer ${j + 1}`, () => this.actions.addNeuron(j));
    plus.classList.add("add-neuron");
    plus.dataset.layer = j;
    const minus = button("−", `Remove a neuron from layer ${j + 1}`, () => this.actions.removeNeuron(j));
    minus.classList.add("remove-neuron");
    minus.dataset.layer = j;
    const count = document.createElement("div");
    count.textContent = `${layer.neurons} neuron${layer.neurons === 1 ? "" : "s"}`;
    const act = select(this.activations, layer.activation, (v) => this.actions.setActivation(j, v));
    act.className = "layer-activation";
    act.title = `Activation of layer ${j + 1}`;
    const drop = select(DROPOUTS.map(String), String(layer.dropout), (v) => this.actions.setDropout(j, Number(v)), (v) => `dropout ${v}`);
    drop.title = `Dropout after layer ${j + 1}`;
    const row = document.createElement("div");
    row.append(plus, minus);
    head.append(row, count, act, document.createElement("br"), drop);
    return head;
  }

  // Draws the neurons' heatmaps and the weights of a frame.
  update(frame, data) {
    const size = frame.neurons.size;
    this.columns[this.columns.length - 1].canvases.forEach((canvas, i) => drawOutput(canvas, data, frame, i));
    frame.neurons.layers.forEach((layer, j) => {
      if (j === 0 && this.isPlane) return; // the plane's features are drawn exactly, once
      const bytes = decode64(layer.values);
      const col = this.columns[j];
      if (j === 0) this.inputIndex.forEach((c, i) => drawNeuron(col.canvases[c], size, bytes, i * size * size));
      else col.canvases.forEach((canvas, i) => drawNeuron(canvas, size, bytes, i * size * size));
    });
    this.drawEdges(frame.weights);
  }

  drawEdges(weights) {
    const ctx = this.edges.getContext("2d");
    ctx.clearRect(0, 0, this.edges.width, this.edges.height);
    weights.forEach((layer, j) => {
      const w = floats(layer.w);
      const from = this.columns[j], to = this.columns[j + 1];
      if (!to) return;
      let max = 1e-6;
      for (const v of w) max = Math.max(max, Math.abs(v));
      const many = layer.rows * layer.cols > 2000;
      for (let r = 0; r < layer.rows; r++) {
        for (let c = 0; c < layer.cols; c++) {
          const v = w[r * layer.cols + c];
          const fromRow = j === 0 ? this.inputIndex[c] : c;
          ctx.strokeStyle = v >= 0 ? "rgba(8,119,189,.75)" : "rgba(245,147,34,.8)";
          ctx.lineWidth = (many ? 0.2 : 0.4) + (many ? 1.5 : 5) * (Math.abs(v) / max);
          ctx.beginPath();
          ctx.moveTo(from.x + from.node / 2, from.ys[fromRow]);
          const mx = (from.x + to.x) / 2;
          ctx.bezierCurveTo(mx, from.ys[fromRow], mx, to.ys[r], to.x - to.node / 2, to.ys[r]);
          ctx.stroke();
        }
      }
    });
  }
}

function button(text, title, onClick) {
  const b = document.createElement("button");
  b.className = "round small";
  b.textContent = text;
  b.title = title;
  b.addEventListener("click", onClick);
  return b;
}

function select(values, value, onChange, label = (v) => v) {
  const s = document.createElement("select");
  for (const v of values) s.add(new Option(label(v), v, false, v === value));
  s.addEventListener("change", () => onChange(s.value));
  return s;
}
