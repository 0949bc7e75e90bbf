// rosemeet documents: drop files on an upload form (it sends them at once, except the full
// form, which still asks for a title), and say before uploading when a file is too large.
// Without JavaScript the file field and the button do the same.
(() => {
  const tooLarge = (form, files) => {
    const max = Number(form.dataset.maxBytes || 0);
    return max > 0 && Array.from(files).some((file) => file.size > max);
  };
  const showError = (form, text) => {
    const error = form.querySelector(".doc-error");
    if (!error) return;
    error.textContent = text || "";
    error.hidden = !text;
  };
  const check = (form, input) => {
    if (tooLarge(form, input.files)) {
      showError(form, form.dataset.tooLarge);
      input.setAttribute("aria-invalid", "true");
      return false;
    }
    showError(form, "");
    input.removeAttribute("aria-invalid");
    return true;
  };
  document.querySelectorAll("form[data-drop]").forEach((form) => {
    const input = form.querySelector('input[type="file"]');
    if (!input) return;
    const limit = Number(form.dataset.maxFiles || 1);
    ["dragenter", "dragover"].forEach((name) =>
      form.addEventListener(name, (event) => {
        event.preventDefault();
        form.classList.add("doc-dragging");
      }),
    );
    ["dragleave", "dragend"].forEach((name) =>
      form.addEventListener(name, () => form.classList.remove("doc-dragging")),
    );
    form.addEventListener("drop", (event) => {
      event.preventDefault();
      form.classList.remove("doc-dragging");
      const dropped = event.dataTransfer && event.dataTransfer.files;
      if (!dropped || !dropped.length) return;
      const transfer = new DataTransfer();
      Array.from(dropped).slice(0, limit).forEach((file) => transfer.items.add(file));
      input.files = transfer.files;
      if (check(form, input) && !form.hasAttribute("data-no-submit")) form.requestSubmit();
    });
    input.addEventListener("change", () => check(form, input));
    form.addEventListener("submit", (event) => {
      if (!check(form, input)) {
        event.preventDefault();
        return;
      }
      const button = form.querySelector('button[type="submit"]');
      if (button && input.files.length) button.setAttribute("aria-busy", "true");
    });
  });
})();
