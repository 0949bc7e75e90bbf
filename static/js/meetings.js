// rosemeet meetings: in the series form, show only the fields of the chosen preset.
// Without JavaScript every field stays visible and the form still works.
(() => {
  const preset = document.getElementById("preset");
  if (!preset) return;
  const update = () => {
    document.querySelectorAll("[data-preset-part]").forEach((part) => {
      part.hidden = !part.dataset.presetPart.split(" ").includes(preset.value);
    });
  };
  preset.addEventListener("change", update);
  update();
})();

// While a series is being planned (a few seconds for a long one), the button shows that it
// is busy and cannot send the form a second time.
(() => {
  const form = document.querySelector("form.series-form");
  if (!form) return;
  form.addEventListener("submit", (event) => {
    // only the save button: "Show the dates" answers at once
    const button = event.submitter;
    if (!button || !button.matches("[data-busy-label]")) return;
    window.setTimeout(() => {
      if (event.defaultPrevented) return;
      button.setAttribute("aria-busy", "true");
      button.textContent = button.dataset.busyLabel;
      button.disabled = true;
    }, 0);
  });
})();
