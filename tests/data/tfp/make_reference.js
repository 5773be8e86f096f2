// Reference data for tests/interop/test_tfp.py: what TensorFlow Playground generates on a
// fresh page load of each URL below (its points after shuffle and split, its initial
// weights and biases). Run with node 20 where seedrandom@2.4.4 and d3@3.5.17 are
// installed (`npm install seedrandom@2.4.4 d3@3.5.17`):
//     NODE_PATH=/tmp/tfp/node_modules node make_reference.js > reference.json
// The generators follow tensorflow/playground's src/dataset.ts and the page-load order of
// src/playground.ts and src/state.ts (deserializeState, makeGUI's noise clamp,
// generateData(true), reset(true) -> nn.buildNetwork); every STRIDE-th point is kept, with
// the sums over all points.
require("seedrandom");
const d3 = require("d3");

function randUniform(a, b) { return Math.random() * (b - a) + a; }
function normalRandom(mean, variance) {
  let v1, v2, s;
  do { v1 = 2 * Math.random() - 1; v2 = 2 * Math.random() - 1; s = v1 * v1 + v2 * v2; } while (s > 1);
  return mean + Math.sqrt(variance) * (Math.sqrt(-2 * Math.log(s) / s) * v1);
}
function dist(a, b) { const dx = a.x - b.x, dy = a.y - b.y; return Math.sqrt(dx * dx + dy * dy); }
function shuffle(array) {
  let counter = array.length;
  while (counter > 0) {
    const index = Math.floor(Math.random() * counter);
    counter--;
    const temp = array[counter]; array[counter] = array[index]; array[index] = temp;
  }
}
const GEN = {
  gauss(n, noise) {
    const variance = d3.scale.linear().domain([0, .5]).range([0.5, 4])(noise), pts = [];
    for (const [c, label] of [[2, 1], [-2, -1]])
      for (let i = 0; i < n / 2; i++) { const x = normalRandom(c, variance), y = normalRandom(c, variance); pts.push({x, y, label}); }
    return pts;
  },
  "reg-plane"(n, noise) {
    const scale = d3.scale.linear().domain([-10, 10]).range([-1, 1]), pts = [];
    for (let i = 0; i < n; i++) {
      const x = randUniform(-6, 6), y = randUniform(-6, 6);
      const nx = randUniform(-6, 6) * noise, ny = randUniform(-6, 6) * noise;
      pts.push({x, y, label: scale(x + nx + y + ny)});
    }
    return pts;
  },
  "reg-gauss"(n, noise) {
    const scale = d3.scale.linear().domain([0, 2]).range([1, 0]).clamp(true), pts = [];
    const g = [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]];
    const label = (x, y) => { let l = 0; g.forEach(([cx, cy, s]) => { const v = s * scale(dist({x, y}, {x: cx, y: cy})); if (Math.abs(v) > Math.abs(l)) l = v; }); return l; };
    for (let i = 0; i < n; i++) {
      const x = randUniform(-6, 6), y = randUniform(-6, 6);
      const nx = randUniform(-6, 6) * noise, ny = randUniform(-6, 6) * noise;
      pts.push({x, y, label: label(x + nx, y + ny)});
    }
    return pts;
  },
  spiral(numSamples, noise) {
    const n = numSamples / 2, pts = [];
    for (const [dt, label] of [[0, 1], [Math.PI, -1]])
      for (let i = 0; i < n; i++) {
        const r = i / n * 5, t = 1.75 * i / n * 2 * Math.PI + dt;
        const x = r * Math.sin(t) + randUniform(-1, 1) * noise, y = r * Math.cos(t) + randUniform(-1, 1) * noise;
        pts.push({x, y, label});
      }
    return pts;
  },
  circle(n, noise) {
    const pts = [], R = 5, lab = (p) => dist(p, {x: 0, y: 0}) < R * 0.5 ? 1 : -1;
    for (const [lo, hi] of [[0, R * 0.5], [R * 0.7, R]])
      for (let i = 0; i < n / 2; i++) {
        const r = randUniform(lo, hi), angle = randUniform(0, 2 * Math.PI);
        const x = r * Math.sin(angle), y = r * Math.cos(angle);
        const nx = randUniform(-R, R) * noise, ny = randUniform(-R, R) * noise;
        pts.push({x, y, label: lab({x: x + nx, y: y + ny})});
      }
    return pts;
  },
  xor(n, noise) {
    const pts = [];
    for (let i = 0; i < n; i++) {
      let x = randUniform(-5, 5); x += x > 0 ? 0.3 : -0.3;
      let y = randUniform(-5, 5); y += y > 0 ? 0.3 : -0.3;
      const nx = randUniform(-5, 5) * noise, ny = randUniform(-5, 5) * noise;
      pts.push({x, y, label: (x + nx) * (y + ny) >= 0 ? 1 : -1});
    }
    return pts;
  },
};
const INPUTS = ["x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY"];

function pageLoad(hash) {
  const map = {};
  for (const kv of hash.split("&")) { const [k, v] = kv.split("="); map[k] = v; }
  const has = (k) => k in map && map[k] != null && map[k].trim() !== "";
  const st = {dataset: "circle", regDataset: "reg-plane", problem: "classification", noise: 0,
              percTrainData: 50, networkShape: [4, 2], initZero: false, x: true, y: true};
  for (const k of ["dataset", "regDataset", "problem", "seed"]) if (has(k)) st[k] = map[k];
  for (const k of ["noise", "percTrainData"]) if (has(k)) st[k] = +map[k];
  for (const k of ["initZero", ...INPUTS]) if (has(k)) st[k] = map[k] !== "false";
  if ("networkShape" in map) st.networkShape = map.networkShape.trim() === "" ? [] : map.networkShape.split(",").map(Number);
  const inputs = INPUTS.filter((k) => st[k] && map[k + "_hide"] !== "true");
  if (st.noise > 50) st.noise = st.noise <= 80 ? st.noise : 50; else if (st.noise < 0) st.noise = 0;
  Math.seedrandom(st.seed);
  const regression = st.problem === "regression";
  const data = GEN[regression ? st.regDataset : st.dataset](regression ? 1200 : 500, st.noise / 100);
  shuffle(data);
  const split = Math.floor(data.length * st.percTrainData / 100);
  const shape = [inputs.length, ...st.networkShape, 1], layers = [];
  for (let l = 1; l < shape.length; l++) {
    const w = [];
    for (let i = 0; i < shape[l]; i++) {
      const row = [];
      for (let j = 0; j < shape[l - 1]; j++) { const v = Math.random() - 0.5; row.push(st.initZero ? 0 : v); }
      w.push(row);
    }
    layers.push({weight: w, bias: st.initZero ? 0 : 0.1});
  }
  return {train: data.slice(0, split), test: data.slice(split), inputs, layers};
}

const STRIDE = 40;
const URLS = [
  "#activation=tanh&batchSize=10&dataset=circle&regDataset=reg-plane&learningRate=0.03&regularizationRate=0&noise=0&networkShape=4,2&seed=0.12345&showTestData=false&discretize=false&percTrainData=50&x=true&y=true&xTimesY=false&xSquared=false&ySquared=false&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=false&problem=classification&initZero=false&hideText=false",
  "#activation=relu&batchSize=3&dataset=xor&noise=15&networkShape=3&seed=0.59321&percTrainData=70&x=true&y=true&xTimesY=true&problem=classification",
  "#activation=sigmoid&dataset=gauss&noise=50&networkShape=&seed=0.00001&percTrainData=10&x=true&y=false&xSquared=true&ySquared=true&problem=classification",
  "#activation=tanh&dataset=spiral&noise=25&networkShape=8,8,6,4&seed=0.77777&percTrainData=90&x=true&y=true&xSquared=true&ySquared=true&xTimesY=true&sinX=true&sinY=true&problem=classification&regularization=L2&regularizationRate=0.003",
  "#activation=linear&regDataset=reg-plane&noise=5&networkShape=2&seed=0.31415&percTrainData=50&problem=regression",
  "#activation=tanh&regDataset=reg-gauss&noise=30&networkShape=5,3&seed=my-own-seed&percTrainData=40&sinX=true&sinY=true&x=false&y=false&problem=regression&initZero=true",
  "#dataset=circle&noise=80&seed=0.5&networkShape=6&percTrainData=30&x_hide=true&y=true&xSquared=true",
  "#dataset=gauss&seed=0.42&problem=classification&networkShape=1,1&noise=0",
];
const out = URLS.map((url) => {
  const r = pageLoad(url.slice(1));
  const pick = (pts) => ({
    n: pts.length,
    every: pts.filter((_, i) => i % STRIDE === 0).map((p) => [p.x, p.y, p.label]),
    sums: [0, 1, 2].map((k) => pts.reduce((s, p) => s + [p.x, p.y, p.label][k], 0)),
  });
  return {url: "https://playground.tensorflow.org/" + url, stride: STRIDE, inputs: r.inputs,
          train: pick(r.train), test: pick(r.test), layers: r.layers};
});
console.log(JSON.stringify(out));
