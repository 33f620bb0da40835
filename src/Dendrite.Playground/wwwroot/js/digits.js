// The digit pad: draw on a 280×280 canvas; the drawing is reduced the way MNIST's digits were made (the ink's
// bounding box scaled into 20×20, centred by its centre of mass in 28×28) and the server's LeNet-5 answers
// with its class probabilities and every layer's output. The insight panel (Dendrite.Insight on the server)
// overlays the saliency of the predicted class on the digit and shows the FGSM image with its new prediction.
import { floats, diverging } from "./state.js";

const $ = (id) => document.getElementById(id);

export function startDigits() {
  const pad = $("pad"), ctx = pad.getContext("2d");
  let info = null, inFlight = false, pending = false, drawingNow = false, last = null;
  const stats = (window.digitStats = { predictions: 0, prediction: null, saliency: null, adversarial: null });
  let lastPixels = null;

  function clear() {
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, pad.width, pad.height);
    $("pad-input").getContext("2d").clearRect(0, 0, 28, 28);
    $("digit-prediction").textContent = "–";
    $("probabilities").replaceChildren();
    $("activations").replaceChildren();
    $("adversarial-result").replaceChildren();
    $("saliency").hidden = true;
    stats.prediction = stats.saliency = stats.adversarial = null;
    lastPixels = null;
  }

  function position(e) {
    const r = pad.getBoundingClientRect();
    return [((e.clientX - r.left) * pad.width) / r.width, ((e.clientY - r.top) * pad.height) / r.height];
  }
  pad.addEventListener("pointerdown", (e) => { drawingNow = true; last = position(e); pad.setPointerCapture(e.pointerId); stroke(last); });
  pad.addEventListener("pointermove", (e) => { if (drawingNow) stroke(position(e)); });
  for (const ev of ["pointerup", "pointercancel"]) pad.addEventListener(ev, () => { drawingNow = false; last = null; predictSoon(); });
  $("pad-clear").addEventListener("click", clear);

  function stroke(p) {
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = 20;
    ctx.lineCap = ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.moveTo(...(last || p));
    ctx.lineTo(...p);
    ctx.stroke();
    last = p;
    predictSoon();
  }

  // One request at a time; a drawing that changed meanwhile is sent when the answer arrives.
  function predictSoon() {
    if (inFlight) { pending = true; return; }
    const pixels = preprocess();
    if (!pixels || info?.state !== "ready") return;
    inFlight = true;
    lastPixels = pixels;
    $("adversarial-result").replaceChildren();
    post("predict", { pixels })
      .then((result) => { if (result) { show(result); if ($("saliency-toggle").checked) return saliency(pixels); } })
      .finally(() => { inFlight = false; if (pending) { pending = false; predictSoon(); } });
  }

  // POSTs a drawing to /api/digits/<what>; the answer, or null after showing the server's error.
  function post(what, body) {
    return fetch(`/api/digits/${what}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
      .then((r) => r.json().then((j) => [r.ok, j]))
      .then(([ok, result]) => { if (ok) return result; $("digit-status").textContent = result.error; return null; });
  }

  // The digit in grey with |saliency| in red on top: where a change of ink would move the score most.
  function saliency(pixels) {
    return post("saliency", { pixels }).then((result) => {
      if (!result) return;
      const map = floats(result.saliency), img = new ImageData(28, 28);
      map.forEach((s, i) => {
        const g = pixels[i] * 110;
        img.data.set([Math.round(g + (255 - g) * s), Math.round(g * (1 - s)), Math.round(g * (1 - s)), 255], 4 * i);
      });
      const c = $("saliency");
      c.getContext("2d").putImageData(img, 0, 0);
      c.hidden = false;
      stats.saliency = result.target;
    });
  }
  $("saliency-toggle").addEventListener("change", (e) => {
    if (e.target.checked && lastPixels) saliency(lastPixels);
    else $("saliency").hidden = true;
  });

  $("epsilon").addEventListener("input", (e) => { $("epsilon-value").textContent = e.target.value; });
  $("adversarial").addEventListener("click", () => {
    if (!lastPixels) return;
    post("adversarial", { pixels: lastPixels, epsilon: Number($("epsilon").value) }).then((result) => {
      if (!result) return;
      const box = $("adversarial-result"), c = document.createElement("canvas"), img = new ImageData(28, 28);
      c.width = c.height = 28;
      floats(result.pixels).forEach((v, i) => img.data.set([v * 255, v * 255, v * 255, 255], 4 * i));
      c.getContext("2d").putImageData(img, 0, 0);
      const text = document.createElement("p");
      const p = result.probabilities[result.prediction];
      text.textContent = `FGSM, ε = ${result.epsilon}: ${result.original} → ${result.prediction} (${(p * 100).toFixed(1)}%)` +
        (result.prediction === result.original ? " — it held" : "");
      box.replaceChildren(text, c);
      stats.adversarial = result;
    });
  });

  function preprocess() {
    const src = ctx.getImageData(0, 0, pad.width, pad.height).data;
    let x0 = pad.width, y0 = pad.height, x1 = -1, y1 = -1;
    for (let y = 0; y < pad.height; y++) for (let x = 0; x < pad.width; x++) {
      if (src[4 * (y * pad.width + x)] > 25) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
    }
    if (x1 < 0) return null;
    const w = x1 - x0 + 1, h = y1 - y0 + 1, scale = 20 / Math.max(w, h);
    const small = document.createElement("canvas");
    small.width = small.height = 28;
    const sctx = small.getContext("2d");
    sctx.imageSmoothingEnabled = true;
    sctx.imageSmoothingQuality = "high";
    sctx.drawImage(pad, x0, y0, w, h, 14 - (w * scale) / 2, 14 - (h * scale) / 2, w * scale, h * scale);
    const reduced = sctx.getImageData(0, 0, 28, 28).data;
    let pixels = Array.from({ length: 784 }, (_, i) => reduced[4 * i] / 255);
    // Centre of mass to the middle, as MNIST's digits are.
    let m = 0, cx = 0, cy = 0;
    pixels.forEach((v, i) => { m += v; cx += v * (i % 28); cy += v * Math.floor(i / 28); });
    const dx = Math.round(13.5 - cx / m), dy = Math.round(13.5 - cy / m);
    const shifted = new Array(784).fill(0);
    pixels.forEach((v, i) => {
      const x = (i % 28) + dx, y = Math.floor(i / 28) + dy;
      if (x >= 0 && x < 28 && y >= 0 && y < 28) shifted[y * 28 + x] = v;
    });
    pixels = shifted.map((v) => Math.min(1, Math.max(0, v)));
    const image = new ImageData(28, 28);
    pixels.forEach((v, i) => image.data.set([v * 255, v * 255, v * 255, 255], 4 * i));
    $("pad-input").getContext("2d").putImageData(image, 0, 0);
    return pixels;
  }

  function show(result) {
    stats.predictions++;
    stats.prediction = result.prediction;
    $("digit-prediction").textContent = result.prediction;
    const box = $("probabilities");
    box.replaceChildren();
    result.probabilities.forEach((p, c) => {
      const label = document.createElement("span");
      label.textContent = c;
      const bar = document.createElement("div");
      bar.className = "bar" + (c === result.prediction ? " top" : "");
      bar.style.width = `${Math.max(1, p * 100)}%`;
      const value = document.createElement("span");
      value.textContent = (p * 100).toFixed(1) + "%";
      box.append(label, bar, value);
    });
    const acts = $("activations");
    acts.replaceChildren();
    for (const layer of result.layers) {
      const div = document.createElement("div");
      div.className = "layer";
      const title = document.createElement("h3");
      title.textContent = `${layer.index}: ${layer.name.split("(")[0]} → [${layer.shape.join("×")}]`;
      const maps = document.createElement("div");
      maps.className = "maps";
      const values = floats(layer.values);
      let m = 1e-6;
      for (const v of values) m = Math.max(m, Math.abs(v));
      if (layer.shape.length === 3) {
        const [c, h, w] = layer.shape, zoom = Math.max(2, Math.round(56 / h));
        for (let k = 0; k < c; k++) maps.append(image(values.subarray(k * h * w, (k + 1) * h * w), w, h, m, zoom));
      } else {
        const n = values.length, cols = Math.min(n, 42), rows = Math.ceil(n / cols);
        const padded = new Float32Array(cols * rows);
        padded.set(values);
        maps.append(image(padded, cols, rows, m, 7));
      }
      div.append(title, maps);
      acts.append(div);
    }
  }

  function image(values, w, h, max, zoom) {
    const c = document.createElement("canvas");
    c.width = w; c.height = h;
    c.style.width = `${w * zoom}px`; c.style.height = `${h * zoom}px`;
    const img = new ImageData(w, h);
    values.forEach((v, i) => img.data.set([...diverging(v / max), 255], 4 * i));
    c.getContext("2d").putImageData(img, 0, 0);
    return c;
  }

  function showFilters(filters) {
    const box = $("filters");
    box.replaceChildren();
    if (!filters) return;
    const [out, inCh, kh, kw] = filters.shape, w = floats(filters.values);
    let m = 1e-6;
    for (const v of w) m = Math.max(m, Math.abs(v));
    for (let o = 0; o < out; o++) for (let i = 0; i < inCh; i++) {
      const off = (o * inCh + i) * kh * kw;
      box.append(image(w.subarray(off, off + kh * kw), kw, kh, m, 8));
    }
  }

  function poll() {
    fetch("/api/digits").then((r) => r.json()).then((i) => {
      info = i;
      const status = i.state === "training" ? `${i.message}: ${Math.round((i.progress || 0) * 100)}%` : i.message;
      $("digit-status").textContent = status;
      if (i.state === "training") { setTimeout(poll, 700); return; }
      if (i.state === "ready") { showFilters(i.filters); predictSoon(); }
      // Dendrite.Insight's saliency overlay and FGSM button join here once the server offers them.
      $("insight-panel").hidden = !(i.insight && (i.insight.saliency || i.insight.adversarial));
    });
  }

  clear();
  poll();
}
