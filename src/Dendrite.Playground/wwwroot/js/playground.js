// The network tab: TensorFlow Playground's controls driving a Dendrite network that trains on the server. The
// page opens one WebSocket (its session; frames arrive on it and each is acknowledged once drawn) and sends
// every change as an HTTP request, whose errors it shows.
import { fromUrl, toUrl, toConfig, LEARNING_RATES, REG_RATES, SPEEDS, CLASS_COLOURS, floats, fmt } from "./state.js";
import { drawHeatmap, drawLossChart, drawWarp, fromCanvas } from "./render.js";
import { Diagram } from "./diagram.js";
import { drawDatasetIcon } from "./icons.js";

const $ = (id) => document.getElementById(id);

export function startNetwork() {
  let state = fromUrl(location.hash);
  let info = null, session = null, socket = null, data = null, latest = null, drawing = false, playing = false;
  let losses = [], pointClass = 0;
  // Read by the browser tests: frames drawn, and what the server said about the network.
  const stats = (window.playgroundStats = { framesDrawn: 0, lastFrame: null, data: null, session: null, errors: 0 });

  const diagram = new Diagram($("network"), {
    toggleFeature(name) {
      const on = state.features.includes(name);
      if (on && state.features.length === 1) return;
      state.features = on ? state.features.filter((f) => f !== name) : [...state.features, name];
      changed(true);
    },
    addNeuron(j) { if (state.layers[j].neurons < info.limits.maxNeurons) { state.layers[j].neurons++; changed(true); } },
    removeNeuron(j) { if (state.layers[j].neurons > 1) { state.layers[j].neurons--; changed(true); } },
    setActivation(j, a) { state.layers[j].activation = a; changed(true); },
    setDropout(j, d) { state.layers[j].dropout = d; changed(true); },
  }, ["tanh", "relu", "sigmoid", "linear", "leakyrelu"]);

  function showError(message) {
    const box = $("error");
    box.hidden = !message;
    box.textContent = message || "";
    if (message) stats.errors++;
  }

  async function api(method, path, body, contentType = "application/json") {
    if (!session) return null;
    const response = await fetch(`/api/sessions/${session}${path}`, {
      method, body: body === undefined ? undefined : contentType === "application/json" ? JSON.stringify(body) : body,
      headers: body === undefined ? {} : { "Content-Type": contentType },
    });
    const text = await response.text();
    const json = text ? JSON.parse(text) : null;
    if (!response.ok) { showError(json?.error || `${response.status} ${response.statusText}`); return null; }
    showError(null);
    return json;
  }

  // A change of the controls: the URL keeps it, the server applies it (a new network when the data or the
  // architecture changed, the same one trained differently otherwise).
  async function changed() {
    window.history.replaceState(null, "", location.pathname + location.search + toUrl(state));
    syncControls();
    await api("PUT", "/network", toConfig(state));
  }

  function connect() {
    socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/session`);
    socket.onmessage = (e) => {
      const msg = JSON.parse(e.data);
      if (msg.type === "hello") {
        session = stats.session = msg.session;
        $("connection").textContent = "connected";
        $("download-model").href = `/api/sessions/${session}/model?format=dendrite`;
        $("download-onnx").href = `/api/sessions/${session}/model?format=onnx`;
        if (state.dataset === "csv") { state.dataset = "circle"; showError("The link named an uploaded CSV, which only lives in the page that uploaded it; upload it again."); }
        changed();
      } else if (msg.type === "data") onData(msg);
      else if (msg.type === "frame") { latest = msg; if (!drawing) { drawing = true; requestAnimationFrame(draw); } }
      else if (msg.type === "error") { showError(msg.message); setPlaying(false); }
    };
    socket.onclose = (e) => {
      $("connection").textContent = "disconnected: reload the page";
      if (e.code === 1006 || e.code === 1008 || !session) showError("Could not open a session (too many open pages?). Close one and reload.");
      session = null;
    };
  }

  function onData(msg) {
    data = msg;
    data.train = { xy: floats(msg.train.x), labels: floats(msg.train.y) };
    data.test = { xy: floats(msg.test.x), labels: floats(msg.test.y) };
    stats.data = { parameters: msg.parameters, layers: msg.layers, inputs: msg.inputs, trainRows: data.train.labels.length };
    losses = [];
    diagram.build(state, data);
    const legend = $("legend");
    legend.replaceChildren();
    if (!data.regression) for (const [i, name] of data.classes.entries()) {
      const item = document.createElement("span");
      item.innerHTML = `<i style="background:${CLASS_COLOURS[i]}"></i>`;
      item.append(name);
      legend.append(item);
    }
    $("view-picker").hidden = data.isPlane || data.columns.length <= 2;
    if (!data.isPlane) for (const id of ["view-x", "view-y"]) {
      const s = $(id);
      s.replaceChildren(...data.columns.map((c, i) => new Option(c, i)));
      s.value = state.view[id === "view-x" ? 0 : 1];
    }
    buildPointClasses();
  }

  function draw() {
    drawing = false;
    const frame = latest;
    if (!frame || !data) return;
    drawHeatmap($("heatmap"), data, frame, state.showTest);
    diagram.update(frame, data);
    $("epoch").textContent = String(frame.epoch).padStart(6, "0").replace(/(\d{3})$/, ",$1");
    $("train-loss").textContent = fmt(frame.trainLoss);
    $("test-loss").textContent = fmt(frame.testLoss);
    $("train-accuracy").textContent = fmt(frame.trainAccuracy);
    $("test-accuracy").textContent = fmt(frame.testAccuracy);
    if (!losses.length || losses[losses.length - 1].epoch !== frame.epoch) losses.push({ epoch: frame.epoch, train: frame.trainLoss, test: frame.testLoss });
    if (losses.length > 600) losses = losses.filter((_, i) => i % 2 === 0);
    drawLossChart($("loss-chart"), losses);
    $("warp-panel").hidden = !frame.warp;
    if (frame.warp) { $("warp-layer").textContent = frame.warp.layer + 1; drawWarp($("warp"), data, frame.warp); }
    stats.framesDrawn++;
    stats.lastFrame = { epoch: frame.epoch, testAccuracy: frame.testAccuracy, trainAccuracy: frame.trainAccuracy, testLoss: frame.testLoss, weights: frame.weights.map((w) => w.w) };
    if (socket?.readyState === WebSocket.OPEN) socket.send('{"type":"ack"}');
  }

  function setPlaying(p) {
    playing = p;
    $("play").textContent = p ? "❚❚" : "▶";
    $("play").setAttribute("aria-pressed", String(p));
  }

  function buildPointClasses() {
    const tools = $("points-tools");
    tools.hidden = state.dataset !== "points";
    const k = state.problem === "regression" ? 2 : Math.min(info.limits.maxClasses, 6);
    const box = $("point-classes");
    box.replaceChildren();
    for (let c = 0; c < k; c++) {
      const b = document.createElement("button");
      const label = state.problem === "regression" ? (c === 0 ? -1 : 1) : c;
      b.style.background = state.problem === "regression" ? (c === 0 ? CLASS_COLOURS[0] : CLASS_COLOURS[1]) : CLASS_COLOURS[c];
      b.textContent = label;
      b.setAttribute("aria-pressed", String(c === pointClass));
      b.addEventListener("click", () => { pointClass = c; buildPointClasses(); });
      box.append(b);
    }
  }

  function syncControls() {
    $("lr").value = String(state.learningRate);
    $("speed").value = String(state.epochsPerFrame);
    $("regRate").value = String(state.regularizationRate);
    $("regularization").value = state.regularization;
    $("optimizer").value = state.optimizer;
    $("activation").value = state.activation;
    $("problem").value = state.problem;
    $("ratio").value = state.trainRatio; $("ratio-out").textContent = state.trainRatio;
    $("noise").value = state.noise; $("noise-out").textContent = state.noise;
    $("batch").value = state.batchSize; $("batch-out").textContent = state.batchSize;
    $("show-test").checked = state.showTest;
    $("layer-count").textContent = `${state.layers.length} hidden layer${state.layers.length === 1 ? "" : "s"}`;
    for (const tile of document.querySelectorAll(".dataset")) tile.setAttribute("aria-pressed", String(tile.dataset.dataset === state.dataset));
    for (const tile of document.querySelectorAll(".dataset")) tile.hidden = (tile.dataset.kind === "regression") !== (state.problem === "regression") && tile.dataset.kind !== "any";
    $("points-tools").hidden = state.dataset !== "points";
  }

  function fill(id, values, label = String) {
    $(id).replaceChildren(...values.map((v) => new Option(label(v), String(v))));
  }

  function bind() {
    fill("lr", LEARNING_RATES);
    fill("speed", SPEEDS, (v) => (v === 0 ? "as fast as it goes" : `${v} epoch${v === 1 ? "" : "s"} a frame`));
    fill("regRate", REG_RATES);
    fill("activation", info.activations, (a) => ({ tanh: "Tanh", relu: "ReLU", sigmoid: "Sigmoid", linear: "Linear", leakyrelu: "Leaky ReLU" })[a]);
    fill("optimizer", info.optimizers, (o) => ({ sgd: "SGD", momentum: "SGD + momentum", adam: "Adam", adamw: "AdamW", rmsprop: "RMSprop", adagrad: "Adagrad" })[o] || o);
    const tiles = [...info.datasets.classification.map((d) => [d, "classification"]), ...info.datasets.regression.map((d) => [d, "regression"]), ["points", "any"]];
    for (const [name, kind] of tiles) {
      const b = document.createElement("button");
      b.className = "dataset";
      b.dataset.dataset = name;
      b.dataset.kind = kind;
      b.title = name === "points" ? "your own points: click the plane" : name;
      const c = document.createElement("canvas");
      c.width = c.height = 52;
      drawDatasetIcon(c, name);
      b.append(c);
      b.addEventListener("click", () => {
        state.dataset = name;
        if (name === "points" && !state.points) state.points = [[-2, 2, 0], [-3, -1, 0], [2, -2, 1], [3, 1, 1]];
        changed();
      });
      $("datasets").append(b);
    }
    const on = (id, event, f) => $(id).addEventListener(event, f);
    on("lr", "change", () => { state.learningRate = Number($("lr").value); changed(); });
    on("speed", "change", () => { state.epochsPerFrame = Number($("speed").value); changed(); });
    on("regRate", "change", () => { state.regularizationRate = Number($("regRate").value); changed(); });
    on("regularization", "change", () => { state.regularization = $("regularization").value; changed(); });
    on("optimizer", "change", () => { state.optimizer = $("optimizer").value; changed(); });
    on("activation", "change", () => { state.activation = $("activation").value; for (const l of state.layers) l.activation = state.activation; changed(); });
    on("problem", "change", () => {
      state.problem = $("problem").value;
      const reg = state.problem === "regression";
      if (reg && info.datasets.classification.includes(state.dataset)) state.dataset = "plane";
      if (!reg && info.datasets.regression.includes(state.dataset)) state.dataset = "circle";
      if (state.points) state.points = state.points.map(([x, y, v]) => [x, y, reg ? (v > 0 ? 1 : -1) : v > 0 ? 1 : 0]);
      changed();
    });
    on("ratio", "input", () => { state.trainRatio = Number($("ratio").value); changed(); });
    on("noise", "input", () => { state.noise = Number($("noise").value); changed(); });
    on("batch", "input", () => { state.batchSize = Number($("batch").value); changed(); });
    on("regenerate", "click", () => { state.seed++; changed(); });
    on("show-test", "change", () => { state.showTest = $("show-test").checked; changed(); });
    on("add-layer", "click", () => {
      if (state.layers.length >= info.limits.maxLayers) return;
      state.layers.push({ neurons: 2, activation: state.activation, dropout: 0 });
      changed();
    });
    on("remove-layer", "click", () => { if (state.layers.length) { state.layers.pop(); changed(); } });
    on("play", "click", async () => { const next = !playing; setPlaying(next); await api("POST", next ? "/play" : "/pause"); });
    on("step", "click", async () => { setPlaying(false); await api("POST", "/step"); });
    on("reset", "click", async () => { setPlaying(false); await api("POST", "/reset"); });
    on("clear-points", "click", () => { state.points = [[0, 0, 0]]; changed(); });
    on("heatmap", "click", (e) => {
      if (state.dataset !== "points" || !data) return;
      const canvas = $("heatmap"), rect = canvas.getBoundingClientRect();
      const [x, y] = fromCanvas(canvas, data, ((e.clientX - rect.left) * canvas.width) / rect.width, ((e.clientY - rect.top) * canvas.height) / rect.height);
      if (state.points.length >= info.limits.maxRows) return;
      const label = state.problem === "regression" ? (pointClass === 0 ? -1 : 1) : pointClass;
      state.points.push([+x.toFixed(2), +y.toFixed(2), label]);
      changed();
    });
    for (const id of ["view-x", "view-y"]) on(id, "change", () => { state.view = [Number($("view-x").value), Number($("view-y").value)]; changed(); });
    on("csv-file", "change", () => uploadCsv($("csv-file").files[0], null));
    on("csv-target", "change", () => uploadCsv(null, $("csv-target").value));
  }

  let csvText = null, csvName = "upload.csv";
  async function uploadCsv(file, target) {
    if (file) { csvText = await file.text(); csvName = file.name; }
    if (csvText === null) return;
    const header = csvText.split(/\r?\n/, 1)[0].split(",").map((h) => h.trim().replace(/^"|"$/g, ""));
    target = target || header[header.length - 1];
    const params = new URLSearchParams({ target, name: csvName, problem: state.problem });
    const summary = await api("POST", `/csv?${params}`, csvText, "text/csv");
    if (!summary) return;
    $("csv-target-label").hidden = false;
    $("csv-target").replaceChildren(...header.map((h) => new Option(h, h, false, h === target)));
    $("csv-info").textContent = `${csvName}: ${summary.rows} rows, ${summary.features.length} features` + (summary.classes ? `, ${summary.classes.length} classes` : "");
    state.dataset = "csv";
    state.view = [0, Math.min(1, summary.features.length - 1)];
    await changed();
  }

  fetch("/api/info").then((r) => r.json()).then((i) => {
    info = i;
    bind();
    syncControls();
    connect();
  });
}
