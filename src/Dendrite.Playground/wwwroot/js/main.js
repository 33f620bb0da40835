// Entry point: the three tabs. Each part starts when its tab is first shown (the network part at once).
import { startNetwork } from "./playground.js";
import { startDigits } from "./digits.js";
import { startGraph } from "./graph.js";

const starters = { network: startNetwork, digits: startDigits, graph: startGraph };
const started = new Set();

function show(tab) {
  for (const b of document.querySelectorAll(".tabs button")) b.setAttribute("aria-selected", String(b.dataset.tab === tab));
  for (const s of document.querySelectorAll("section.tab")) s.hidden = s.dataset.tab !== tab;
  if (!started.has(tab)) {
    started.add(tab);
    starters[tab]();
  }
  const url = new URL(location.href);
  if (tab === "network") url.searchParams.delete("tab"); else url.searchParams.set("tab", tab);
  history.replaceState(null, "", url);
}

for (const b of document.querySelectorAll(".tabs button")) b.addEventListener("click", () => show(b.dataset.tab));
if (!started.has("network")) { started.add("network"); startNetwork(); }
show(new URL(location.href).searchParams.get("tab") || "network");
