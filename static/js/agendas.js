// rosemeet agendas: reorder agenda items by drag and drop. Without JavaScript (or with the
// keyboard) the "Up" and "Down" buttons, plain POST forms, do the same.
(() => {
  const list = document.getElementById("agenda-items");
  if (!list || !list.dataset.orderUrl) return;
  let dragged = null;
  const items = () => Array.from(list.querySelectorAll(":scope > li[data-id]"));
  const save = () => {
    const body = new URLSearchParams({
      order: items().map((li) => li.dataset.id).join(","),
      csrf_token: list.dataset.csrf || "",
    });
    fetch(list.dataset.orderUrl, {
      method: "POST",
      headers: { Accept: "application/json" },
      body,
      credentials: "same-origin",
    }).then((response) => {
      if (!response.ok) window.location.reload();
      items().forEach((li, index) => {
        const number = li.querySelector(".item-number");
        if (number) number.textContent = `${index + 1}.`;
      });
    });
  };
  items().forEach((li) => {
    li.draggable = true;
    li.classList.add("draggable");
    const handle = li.querySelector(".drag-handle");
    if (handle) handle.hidden = false;
    li.addEventListener("dragstart", (event) => {
      dragged = li;
      li.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
    });
    li.addEventListener("dragend", () => {
      li.classList.remove("dragging");
      dragged = null;
    });
    li.addEventListener("dragover", (event) => {
      if (!dragged || dragged === li) return;
      event.preventDefault();
      const box = li.getBoundingClientRect();
      const after = event.clientY > box.top + box.height / 2;
      list.insertBefore(dragged, after ? li.nextSibling : li);
    });
    li.addEventListener("drop", (event) => {
      event.preventDefault();
      save();
    });
  });
})();
