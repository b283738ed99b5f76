/**
 * Puts the page's stylesheets before its module script (Vite writes the script first). The browser asks for
 * them in that order as the page's first bytes arrive, and the first request gets the connection the page
 * came on while the next waits for a new one: the stylesheet holds the first paint back, the module script
 * only mounts the app over a screen already painted (../../renderer/src/boot.ts).
 */
import type { Plugin } from 'vite';

const STYLESHEET = /[ \t]*<link\b[^>]*\brel="stylesheet"[^>]*>\r?\n?/gi;
const MODULE_SCRIPT = /<script\b[^>]*\btype="module"/i;

export function stylesheetsFirst(html: string): string {
  const script = MODULE_SCRIPT.exec(html);
  if (!script) return html;
  const before = html.slice(0, script.index);
  const after = html.slice(script.index);
  const moved = after.match(STYLESHEET) ?? [];
  if (moved.length === 0) return html;
  const indent = /[ \t]*$/.exec(before)![0];
  const links = moved.map((l) => `${l.trim()}\n${indent}`).join('');
  return `${before}${links}${after.replace(STYLESHEET, '')}`;
}

export function stylesheetsFirstPlugin(): Plugin {
  return { name: 'hugetune-stylesheets-first', transformIndexHtml: { order: 'post', handler: stylesheetsFirst } };
}
