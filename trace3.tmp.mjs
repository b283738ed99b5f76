import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
const child = spawn(process.execPath, ['bin/hugetune.js','serve','--port','0','--json','--sim', 'xeon-2s-768g'], {stdio:['ignore','pipe','inherit']});
const line = await new Promise(ok=>createInterface({input:child.stdout}).once('line', ok));
const {url} = JSON.parse(line);
const browser = await chromium.launch({executablePath:'/usr/bin/chromium', args:['--no-sandbox','--disable-gpu']});
for (let run=0; run<3; run++){
const ctx = await browser.newContext({viewport:{width:1280,height:900}}); const page = await ctx.newPage();
if (run==2) await browser.startTracing(page,{path:'/tmp/tr.json', categories:['devtools.timeline','v8.execute','blink.user_timing','loading','disabled-by-default-devtools.timeline']});
await page.goto(url);
await page.waitForSelector('[data-testid="card-memory"]');
await page.evaluate(()=>new Promise(r=>requestAnimationFrame(()=>r())));
if (run==2) await browser.stopTracing();
await ctx.close();
}
await browser.close(); child.kill();
const tr = JSON.parse(readFileSync('/tmp/tr.json','utf8'));
const ev = tr.traceEvents ?? tr;
const nav = ev.find(e=>e.name==='navigationStart' && e.args?.data?.documentLoaderURL?.startsWith('http'));
const pid = nav.pid; const tid = nav.tid; const t0=nav.ts;
const top = ev.filter(e=>e.pid===pid && e.tid===tid && (e.ph==='X'||e.ph==='B'||e.ph==='I'||e.ph==='R'||e.ph==='b') && (e.dur??0)>=1000 || (e.pid===pid && ['ResourceSendRequest','ResourceFinish','firstContentfulPaint','domContentLoadedEventEnd','markAsMainFrame'].includes(e.name)));
for (const e of top.sort((a,b)=>a.ts-b.ts)) console.log(((e.ts-t0)/1000).toFixed(0).padStart(6), ((e.dur??0)/1000).toFixed(1).padStart(7), e.name, JSON.stringify(e.args?.data?.url ?? e.args?.data?.functionName ?? '').slice(-40));
