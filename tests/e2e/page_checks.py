"""What a page in the browser must hold up to: no horizontal overflow (of the page, or of an
element out of its card), no words of the other language, no server error, and nothing the
browser refused under the Content-Security-Policy (an inline script or style, read from its
console).

The text checks read what a person sees: visible text nodes, the options of selects, and the
``placeholder``, ``title`` and ``aria-label`` attributes. Content that is not the interface's
own words is marked in the templates and skipped: ``translate="no"`` (names, addresses,
account data, what users typed), an element whose ``lang`` differs from the page's (a message
template in the other language, the brand), and ``<code>``/``<kbd>`` (codes and keys).
"""

import re

PROBE = r"""
const lang = document.documentElement.lang;
function skipped(el) {
  for (let e = el; e && e !== document.documentElement; e = e.parentElement) {
    if (['SCRIPT', 'STYLE', 'CODE', 'KBD', 'NOSCRIPT', 'TEMPLATE'].includes(e.tagName)) return true;
    if (e.getAttribute('translate') === 'no') return true;
    const l = e.getAttribute('lang');
    if (l && l !== lang) return true;
  }
  return false;
}
function clippedAway(el) {
  // Text for screen readers only: inside a box of a pixel that hides what overflows it.
  for (let e = el; e && e !== document.body; e = e.parentElement) {
    const box = e.getBoundingClientRect();
    if ((box.width <= 1 || box.height <= 1) && getComputedStyle(e).overflow === 'hidden') {
      return true;
    }
  }
  return false;
}
function visible(el) {
  if (!el.getClientRects().length) return false;
  const box = el.getBoundingClientRect();
  if (box.width <= 1 || box.height <= 1) return false;
  const style = getComputedStyle(el);
  return style.visibility !== 'hidden' && style.display !== 'none' && !clippedAway(el);
}
function where(el) {
  const parts = [];
  for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
    parts.unshift(e.tagName.toLowerCase() + (e.id ? '#' + e.id : ''));
  }
  return parts.join(' > ');
}
const texts = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const text = node.nodeValue.trim();
  const el = node.parentElement;
  if (!text || !el || skipped(el) || !visible(el)) continue;
  texts.push([text, where(el)]);
}
for (const option of document.querySelectorAll('select option')) {
  if (option.text.trim() && !skipped(option)) texts.push([option.text.trim(), where(option)]);
}
for (const el of document.querySelectorAll('[placeholder],[title],[aria-label]')) {
  if (skipped(el) || el.tagName === 'svg' || el.closest('svg')) continue;
  for (const name of ['placeholder', 'title', 'aria-label']) {
    const value = el.getAttribute(name);
    if (value && value.trim()) texts.push([value.trim(), where(el) + '@' + name]);
  }
}
const overflow = [];
const root = document.documentElement;
if (root.scrollWidth > window.innerWidth) {
  overflow.push('the page is ' + root.scrollWidth + ' px wide in a ' + window.innerWidth +
                ' px window');
}
function scrolls(el, card) {
  for (let e = el.parentElement; e && e !== card; e = e.parentElement) {
    const x = getComputedStyle(e).overflowX;
    if (x === 'auto' || x === 'scroll') return true;
  }
  return false;
}
for (const card of document.querySelectorAll('.card, .kpi')) {
  if (!visible(card)) continue;
  const box = card.getBoundingClientRect();
  for (const el of card.querySelectorAll('*')) {
    if (el.tagName === 'OPTION' || !visible(el) || scrolls(el, card)) continue;
    const r = el.getBoundingClientRect();
    if (r.right > box.right + 1 || r.left < box.left - 1) {
      overflow.push(where(el) + ' sticks out of its card (' + Math.round(r.left) + '–' +
                    Math.round(r.right) + ' px, card ' + Math.round(box.left) + '–' +
                    Math.round(box.right) + ' px)');
      break;
    }
  }
  for (const table of card.querySelectorAll('table')) {
    if (!visible(table) || table.closest('.table-wrap')) continue;
    if (table.scrollWidth > table.parentElement.clientWidth + 1) {
      overflow.push(where(table) + ' is ' + table.scrollWidth + ' px wide in ' +
                    table.parentElement.clientWidth + ' px');
    }
  }
}
const navigation = performance.getEntriesByType('navigation')[0];
return {texts: texts, overflow: overflow, lang: lang,
        status: navigation ? navigation.responseStatus : 0,
        error: !!document.querySelector('#server-error, #forbidden, #not-found, #csrf-failure')};
"""

# Names that are the same in every language.
BRANDS = frozenset({"Arrears", "Django"})
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:/@+&'’$-]*")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


def _a_code(token: str) -> bool:
    """Account numbers, rule ids, buckets, currencies and abbreviations: M1, TW-A-12, CN-05,
    TWD, SMS, v1, 2026-12-05 …"""
    return bool(re.search(r"\d|_|/|@", token)) or token.isupper() or token in BRANDS


def english_words(text: str) -> list[str]:
    """The English words in ``text`` (read on a Chinese page)."""
    words = []
    for token in WORD.findall(text):
        token = token.strip(".:'’-")
        if len(token) >= 2 and re.search(r"[a-z]", token) and not _a_code(token):
            words.append(token)
    return words


def problems(result: dict, language: str) -> list[str]:
    """What is wrong with one page, from the probe's ``result``."""
    found = []
    if result["status"] >= 500 or result["error"]:
        found.append(f"HTTP {result['status']} or an error page")
    if result["lang"] != language:
        found.append(f"the page is in {result['lang']!r}, not {language!r}")
    found += result["overflow"]
    for text, where in result["texts"]:
        if language == "en":
            foreign = CJK.findall(text)
        else:
            foreign = english_words(text)
        if foreign:
            found.append(f"{where}: {' '.join(foreign)!r} in {text[:80]!r}")
    return found


def policy_violations(console: list[dict]) -> list[str]:
    """The browser's console entries (``driver.get_log("browser")``) that report something
    refused by the Content-Security-Policy: an inline style or script, a foreign source."""
    return [entry["message"][:300] for entry in console
            if "Content Security Policy" in entry.get("message", "")]
