// rosemeet: progressive enhancements only; every page works without JavaScript.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.dataset && form.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// The main menu is a <details> (no inline script under the CSP): a "Menu" button on a phone.
// On a wide screen it stays open and CSS hides its summary, so the links sit in one row; the
// media query's change (not every resize: a phone resizes when its address bar hides) keeps
// it so when a window is made wider or narrower.
const wideScreen = window.matchMedia("(min-width: 768px)");

function fitMenus() {
  for (const menu of document.querySelectorAll("details.nav-menu")) {
    menu.open = wideScreen.matches;
  }
}

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape" || wideScreen.matches || !(event.target instanceof Element)) {
    return;
  }
  const menu = event.target.closest("details.nav-menu[open]");
  if (menu) {
    menu.open = false;
    menu.querySelector("summary").focus();
  }
});

// Wide tables scroll inside their own box instead of widening the page. A box that scrolls
// takes the keyboard focus, so it can be scrolled without a mouse too.
function scrolls(element) {
  return ["auto", "scroll"].includes(window.getComputedStyle(element).overflowX);
}

function wrapTables() {
  const watcher = "ResizeObserver" in window ? new ResizeObserver(markScrolling) : null;
  for (const table of document.querySelectorAll("main table")) {
    const parent = table.parentElement;
    if (parent.classList.contains("table-scroll") || scrolls(parent)) {
      continue; // the template gave it a box already
    }
    const box = document.createElement("div");
    box.className = "table-scroll";
    table.before(box);
    box.append(table);
    if (watcher) {
      watcher.observe(box);
    }
  }
}

function markScrolling(entries) {
  for (const { target } of entries) {
    if (target.scrollWidth > target.clientWidth) {
      target.tabIndex = 0;
    } else {
      target.removeAttribute("tabindex");
    }
  }
}

function enhance() {
  fitMenus();
  wideScreen.addEventListener("change", fitMenus);
  wrapTables();
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", enhance);
} else {
  enhance();
}
