import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';
const child = spawn(process.execPath, ['bin/hugetune.js','serve','--port','0','--json','--sim', process.argv[2]], {stdio:['ignore','pipe','inherit']});
const line = await new Promise(ok=>createInterface({input:child.stdout}).once('line', ok));
const {url} = JSON.parse(line);
const browser = await chromium.launch({executablePath:'/usr/bin/chromium', args:['--no-sandbox','--disable-gpu']});
for (let run=0; run<4; run++){
const ctx = await browser.newContext({viewport:{width:1280,height:900}}); const page = await ctx.newPage();
await page.addInitScript(()=>{ const o=window.fetch; window.__log=[]; window.fetch=(...a)=>{const t=performance.now(); const what=String(a[1]?.body??a[0]).slice(0,28); return o(...a).then(async r=>{window.__log.push([what, Math.round(t), Math.round(performance.now())]);return r;});}; 
 new MutationObserver((m,o)=>{ if(document.querySelector('[data-testid="card-memory"]')){ window.__ready=performance.now(); o.disconnect(); } }).observe(document,{subtree:true,childList:true}); });
await page.goto(url);
await page.waitForSelector('[data-testid="card-memory"]');
const r = await page.evaluate(()=>({ready:Math.round(window.__ready), log:window.__log, res:performance.getEntriesByType('resource').filter(e=>e.name.includes('api/call')).map(e=>[Math.round(e.startTime),Math.round(e.responseStart),Math.round(e.responseEnd), e.transferSize])}));
console.log(JSON.stringify(r));
await ctx.close();
}
await browser.close(); child.kill();
