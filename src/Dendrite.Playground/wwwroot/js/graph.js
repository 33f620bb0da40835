// The graph, step by step: the server evaluates the graph with Dendrite's autograd; the page replays it. Each
// forward step fills one node's value; each backward step takes one node, gives it its gradient ∂f/∂node and
// writes on its incoming edges the local gradients through which that gradient flows on to its inputs.
const $ = (id) => document.getElementById(id);
const NS = "http://www.w3.org/2000/svg";
const W = 150, H = 58;

const num = (v) => (Math.round(v * 10000) / 10000).toString().replace("-", "−");

export function startGraph() {
  let graph = null, values = {}, forward = 0, backward = 0;
  const svg = $("graph");

  async function load(reset) {
    const choice = $("graph-choice").value;
    if (reset) values = {};
    const response = await fetch("/api/graph", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ graph: choice, values }) });
    const result = await response.json();
    if (!response.ok) { $("graph-status").textContent = result.error; return; }
    graph = result;
    forward = 0;
    backward = 0;
    if (reset) inputs();
    render();
  }

  function inputs() {
    const box = $("graph-inputs");
    box.replaceChildren();
    for (const n of graph.nodes.filter((n) => n.op === "input")) {
      const label = document.createElement("label");
      label.textContent = n.id;
      const input = document.createElement("input");
      input.type = "number";
      input.step = "any";
      input.value = n.value;
      input.id = `graph-input-${n.id}`;
      input.addEventListener("change", () => {
        const v = Number(input.value);
        if (input.value === "" || v === (values[n.id] ?? n.value)) return; // a blur without an edit changes nothing
        values[n.id] = v;
        load(false);
      });
      label.append(input);
      box.append(label);
    }
  }

  const ops = () => graph.nodes.filter((n) => n.op !== "input");
  const reversed = () => [...graph.nodes].reverse();

  function layout() {
    const depth = {};
    for (const n of graph.nodes) depth[n.id] = n.inputs.length ? 1 + Math.max(...n.inputs.map((i) => depth[i])) : 0;
    // An input sits just left of the first node that uses it (z beside q, b beside s), so no edge crosses a node.
    for (const n of graph.nodes) {
      if (n.inputs.length) continue;
      const users = graph.nodes.filter((m) => m.inputs.includes(n.id)).map((m) => depth[m.id]);
      depth[n.id] = Math.min(...users) - 1;
    }
    const columns = {};
    for (const n of graph.nodes) (columns[depth[n.id]] ||= []).push(n.id);
    const pos = {};
    const maxDepth = Math.max(...Object.keys(columns).map(Number));
    for (const [d, ids] of Object.entries(columns)) {
      ids.forEach((id, i) => {
        pos[id] = { x: 30 + (Number(d) * (900 - 60 - W)) / Math.max(maxDepth, 1), y: 160 + (i - (ids.length - 1) / 2) * 80 - H / 2 };
      });
    }
    return pos;
  }

  function el(name, attrs, text) {
    const e = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function render() {
    svg.replaceChildren();
    const defs = el("defs", {});
    const marker = el("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "10", refY: "5", markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" });
    marker.append(el("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#888" }));
    defs.append(marker);
    svg.append(defs);
    const pos = layout();
    const known = new Set(graph.nodes.filter((n) => n.op === "input").map((n) => n.id));
    ops().slice(0, forward).forEach((n) => known.add(n.id));
    const withGrad = new Set(reversed().slice(0, backward).map((n) => n.id));
    for (const n of graph.nodes) {
      n.inputs.forEach((input, j) => {
        const a = pos[input], b = pos[n.id];
        const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2;
        svg.append(el("path", { class: "edge", d: `M ${x1} ${y1} C ${(x1 + x2) / 2} ${y1}, ${(x1 + x2) / 2} ${y2}, ${x2} ${y2}` }));
        if (withGrad.has(n.id)) {
          svg.append(el("text", { class: "local", x: x1 + 0.6 * (x2 - x1), y: y1 + 0.6 * (y2 - y1) - 6, "text-anchor": "middle", "data-edge": `${input}-${n.id}` }, `∂${n.id}/∂${input} = ${num(n.local[j])}`));
        }
      });
    }
    const current = backward > 0 ? reversed()[backward - 1].id : forward > 0 ? ops()[forward - 1].id : null;
    for (const n of graph.nodes) {
      const p = pos[n.id];
      const g = el("g", { class: "node" + (known.has(n.id) ? " done" : "") + (n.id === current ? " current" : ""), "data-node": n.id, transform: `translate(${p.x},${p.y})` });
      g.append(el("rect", { width: W, height: H, rx: 6 }));
      g.append(el("text", { x: 8, y: 18 }, n.label));
      g.append(el("text", { class: "value", x: 8, y: 36 }, known.has(n.id) ? `value ${num(n.value)}` : ""));
      g.append(el("text", { class: "grad", x: 8, y: 52 }, withGrad.has(n.id) ? `grad ${num(n.grad)}` : ""));
      svg.append(g);
    }
    $("graph-forward").disabled = forward >= ops().length;
    $("graph-backward").disabled = forward < ops().length || backward >= graph.nodes.length;
    $("graph-status").textContent = status();
  }

  function status() {
    if (backward > 0) {
      const n = reversed()[backward - 1];
      if (n.id === graph.output) return `Backward: ∂${n.id}/∂${n.id} = 1`;
      const users = graph.nodes.filter((m) => m.inputs.includes(n.id));
      const terms = users.map((m) => `∂f/∂${m.id} · ∂${m.id}/∂${n.id} = ${num(m.grad)} · ${num(m.local[m.inputs.indexOf(n.id)])}`);
      return `Backward: ∂f/∂${n.id} = ${terms.join(" + ")} = ${num(n.grad)}` + (backward === graph.nodes.length ? `  (autograd's own f.Backward() agrees: ${Object.entries(graph.autograd).map(([k, v]) => `${k} ${num(v)}`).join(", ")})` : "");
    }
    if (forward > 0) { const n = ops()[forward - 1]; return `Forward: ${n.label} = ${num(n.value)}`; }
    return "The inputs are set; step forward.";
  }

  $("graph-forward").addEventListener("click", () => { if (graph && forward < ops().length) { forward++; render(); } });
  $("graph-backward").addEventListener("click", () => { if (graph && forward === ops().length && backward < graph.nodes.length) { backward++; render(); } });
  $("graph-reset").addEventListener("click", () => { forward = 0; backward = 0; render(); });
  $("graph-choice").addEventListener("change", () => load(true));
  load(true);
}
