// Small pictures of the data sets for their buttons, drawn from each set's definition (not sampled from it).
import { CLASS_COLOURS, diverging } from "./state.js";

const ORANGE = CLASS_COLOURS[0], BLUE = CLASS_COLOURS[1];

function dot(ctx, x, y, colour) {
  ctx.fillStyle = colour;
  ctx.beginPath();
  ctx.arc(x, y, 1.6, 0, 2 * Math.PI);
  ctx.fill();
}

export function drawDatasetIcon(canvas, name) {
  const ctx = canvas.getContext("2d");
  const s = canvas.width, c = s / 2, k = s / 12; // the plane's [-6, 6] onto the icon
  ctx.fillStyle = "#f4f4f4";
  ctx.fillRect(0, 0, s, s);
  let seed = 7;
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  if (name === "circle") {
    for (let i = 0; i < 60; i++) {
      const inner = i % 2 === 0, r = inner ? rand() * 2.5 : 3.5 + rand() * 1.5, a = rand() * 2 * Math.PI;
      dot(ctx, c + r * Math.cos(a) * k, c + r * Math.sin(a) * k, inner ? BLUE : ORANGE);
    }
  } else if (name === "xor") {
    for (let i = 0; i < 70; i++) {
      const x = rand() * 10 - 5, y = rand() * 10 - 5;
      dot(ctx, c + x * k, c - y * k, x * y >= 0 ? BLUE : ORANGE);
    }
  } else if (name === "gaussian") {
    for (let i = 0; i < 60; i++) {
      const pos = i % 2 === 0, m = pos ? 2 : -2;
      const g = () => (rand() + rand() + rand() - 1.5) * 1.2;
      dot(ctx, c + (m + g()) * k, c - (m + g()) * k, pos ? BLUE : ORANGE);
    }
  } else if (name === "spiral") {
    for (let i = 0; i < 40; i++) {
      const r = (i / 40) * 5, t = (1.75 * i / 40) * 2 * Math.PI;
      dot(ctx, c + r * Math.sin(t) * k, c - r * Math.cos(t) * k, BLUE);
      dot(ctx, c + r * Math.sin(t + Math.PI) * k, c - r * Math.cos(t + Math.PI) * k, ORANGE);
    }
  } else if (name === "plane" || name === "multigaussian") {
    const image = ctx.createImageData(s, s);
    for (let py = 0; py < s; py++) for (let px = 0; px < s; px++) {
      const x = (px - c) / k, y = (c - py) / k;
      let v = (x + y) / 12;
      if (name === "multigaussian") {
        v = 0;
        for (const [cx, cy, sg] of [[-3, 3, 1], [3, -3, 1], [3, 3, -1], [-3, -3, -1]]) {
          const b = sg * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 8);
          if (Math.abs(b) > Math.abs(v)) v = b;
        }
      }
      image.data.set([...diverging(v), 255], 4 * (py * s + px));
    }
    ctx.putImageData(image, 0, 0);
  } else {
    ctx.fillStyle = "#555";
    ctx.font = "11px sans-serif";
    ctx.textAlign = "center";
    ctx.fillText("your", c, c - 4);
    ctx.fillText("points", c, c + 9);
    dot(ctx, 10, 10, ORANGE); dot(ctx, 42, 40, BLUE); dot(ctx, 40, 12, BLUE); dot(ctx, 12, 42, ORANGE);
  }
}
