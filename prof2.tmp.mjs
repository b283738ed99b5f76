import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';
const child = spawn(process.execPath, ['bin/hugetune.js','serve','--port','0','--json','--sim','xeon-2s-768g'], {stdio:['ignore','pipe','inherit']});
const line = await new Promise(ok=>createInterface({input:child.stdout}).once('line', ok));
const {url} = JSON.parse(line);
const browser = await chromium.launch({executablePath:'/usr/bin/chromium', args:['--no-sandbox','--disable-gpu']});
const self=new Map(), tot=new Map(); const R=6;
for (let run=0; run<R; run++){
const ctx = await browser.newContext(); const page = await ctx.newPage();
const cdp = await ctx.newCDPSession(page);
await cdp.send('Profiler.enable'); await cdp.send('Profiler.setSamplingInterval',{interval:100}); await cdp.send('Profiler.start');
await page.goto(url);
await page.waitForSelector('[data-testid="card-memory"]');
const {profile} = await cdp.send('Profiler.stop');
await ctx.close(); if (run==0) continue;
const byId=new Map(profile.nodes.map(n=>[n.id,n])); const parent=new Map();
for (const n of profile.nodes) for (const c of n.children??[]) parent.set(c,n.id);
const key=(m)=>`${m.callFrame.functionName||'(anon)'} ${m.callFrame.url.replace(/.*\//,'')}:${m.callFrame.lineNumber}`;
const dt=profile.timeDeltas;
profile.samples.forEach((s,i)=>{const us=dt[i+1]??0; const k=key(byId.get(s)); self.set(k,(self.get(k)??0)+us); const seen=new Set(); let id=s; while(id!==undefined){const kk=key(byId.get(id)); if(!seen.has(kk)){seen.add(kk); tot.set(kk,(tot.get(kk)??0)+us);} id=parent.get(id);} });
}
const f=(m)=>[...m].sort((a,b)=>b[1]-a[1]).map(([k,v])=>`${(v/1000/(R-1)).toFixed(1)}ms ${k}`);
console.log('SELF'); console.log(f(self).slice(0,20).join('\n'));
console.log('TOTAL app fns'); console.log(f(tot).filter(x=>/index-|validate-/.test(x) && !/svelte|update_|flush|run_|effect|branch|block|reaction|traverse|process|mount|boundary|Boundary|derived|template|each|create_item|if_block|ensure|batch|microtask|\(anon\)/.test(x)).slice(0,40).join('\n'));
await browser.close(); child.kill();
