import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
const child = spawn(process.execPath, ['bin/hugetune.js','serve','--port','0','--json','--sim', 'xeon-2s-768g'], {stdio:['ignore','pipe','inherit']});
const line = await new Promise(ok=>createInterface({input:child.stdout}).once('line', ok));
const {url} = JSON.parse(line);
const browser = await chromium.launch({executablePath:'/usr/bin/chromium', args:['--no-sandbox','--disable-gpu']});
const agg = new Map(); let readySum=0; const R=5;
for (let run=0; run<R+1; run++){
const ctx = await browser.newContext({viewport:{width:1280,height:900}}); const page = await ctx.newPage();
await page.addInitScript(()=>{ new MutationObserver((m,o)=>{ if(document.querySelector('[data-testid="card-memory"]')){ o.disconnect(); requestAnimationFrame(()=>{window.__ready=performance.now();}); } }).observe(document,{subtree:true,childList:true}); });
if (run>0) await browser.startTracing(page,{path:'/tmp/tr5.json', categories:['devtools.timeline','v8.execute','disabled-by-default-devtools.timeline','loading','blink.user_timing']});
await page.goto(url);
await page.waitForFunction(()=>window.__ready);
const ready = await page.evaluate(()=>window.__ready);
if (run>0) { await browser.stopTracing();
const tr = JSON.parse(readFileSync('/tmp/tr5.json','utf8')); const ev = tr.traceEvents ?? tr;
const nav = ev.find(e=>e.name==='navigationStart' && e.args?.data?.documentLoaderURL?.startsWith('http'));
const t0=nav.ts, end=t0+ready*1000;
// top-level tasks on renderer main, attribute child time by name (self-time approx by inclusive of listed kinds)
const main = ev.filter(e=>e.pid===nav.pid && e.tid===nav.tid && e.ph==='X' && e.ts>=t0 && e.ts<=end);
const kinds=['v8.compile','v8.compileModule','v8.evaluateModule','FunctionCall','RunMicrotasks','EvaluateScript','ParseHTML','ParseAuthorStyleSheet','UpdateLayoutTree','Layout','Paint','PrePaint','Layerize','Commit','MinorGC','MajorGC','DocumentLoader::CommitNavigation','v8.parseOnBackground'];
const tasks = main.filter(e=>e.name==='RunTask');
let busy=0; for (const t of tasks) busy+=t.dur;
agg.set('busy (RunTask)', (agg.get('busy (RunTask)')??0)+busy/1000);
for (const k of ['ParseHTML','UpdateLayoutTree','Layout','Paint','PrePaint','Commit','MinorGC','ParseAuthorStyleSheet']) { let s=0; for (const e of main) if (e.name===k) s+=e.dur; agg.set(k,(agg.get(k)??0)+s/1000); }
let js=0; // top-level script entries not nested in another script entry
const scr = main.filter(e=>['v8.evaluateModule','FunctionCall','RunMicrotasks','EvaluateScript','v8.compileModule','v8.compile'].includes(e.name)).sort((a,b)=>a.ts-b.ts);
let until=0; for (const e of scr){ if (e.ts>=until){ js+=e.dur; until=e.ts+e.dur; } }
agg.set('script (outermost)', (agg.get('script (outermost)')??0)+js/1000);
readySum+=ready;
}
await ctx.close();
}
console.log('ready avg', (readySum/R).toFixed(0));
for (const [k,v] of agg) console.log(k.padEnd(22), (v/R).toFixed(1));
await browser.close(); child.kill();
