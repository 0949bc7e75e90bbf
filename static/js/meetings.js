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
