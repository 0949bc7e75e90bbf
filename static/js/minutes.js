// rosemeet minutes: keeps what is typed (localStorage at once, the server every 30 seconds),
// offers it back after a closed tab, asks before leaving unsaved text, and previews the
// Markdown as the app renders it. Without JavaScript the one form, the server drafts (with
// their "Restore" / "Throw away" buttons) and the "Preview" of the saved text still work.
(() => {
  const form = document.getElementById("minutes-form");
  if (!form) return;
  const meeting = form.dataset.meeting;
  const fields = Array.from(document.querySelectorAll("textarea.minutes-text[data-item]"));
  const prefix = (item) => `rosemeet:minutes:${meeting}:${item}:`;
  const versionInput = (item) => document.getElementById(`item-${item}-version`);
  const keyOf = (item) => prefix(item) + (versionInput(item)?.value || "0");
  const lang = document.documentElement.lang || undefined;
  const when = (iso) => {
    const date = new Date(iso);
    return Number.isNaN(date.getTime())
      ? iso
      : date.toLocaleString(lang, { dateStyle: "short", timeStyle: "short" });
  };
  const post = (url, body) =>
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true, // a draft sent as the tab closes still arrives
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": form.dataset.csrf || "",
      },
      body: JSON.stringify(body),
    });
  const read = (key) => {
    try {
      return JSON.parse(localStorage.getItem(key) || "null");
    } catch {
      return null;
    }
  };
  const localDrafts = (item) => {
    const found = [];
    for (let i = 0; i < localStorage.length; i += 1) {
      const key = localStorage.key(i);
      if (key && key.startsWith(prefix(item))) {
        const entry = read(key);
        if (entry && typeof entry.text === "string") found.push({ key, ...entry });
      }
    }
    return found.sort((a, b) => (a.at < b.at ? 1 : -1));
  };
  const forget = (item) => localDrafts(item).forEach((d) => localStorage.removeItem(d.key));

  let submitting = false;
  const dirty = () => fields.some((f) => f.value !== f.defaultValue || f.dataset.unsaved);
  window.addEventListener("beforeunload", (event) => {
    if (submitting || !dirty()) return;
    event.preventDefault();
    event.returnValue = form.dataset.leave || "";
  });
  form.addEventListener("submit", (event) => {
    submitting = true;
    const chosen = event.submitter;
    // Saved or not, what is sent is no longer only in this tab: mark it, so that the next
    // page drops it once the item has a newer version (the save went through).
    fields.forEach((f) => {
      const entry = read(keyOf(f.dataset.item));
      if (entry) localStorage.setItem(keyOf(f.dataset.item), JSON.stringify({ ...entry, sent: true }));
    });
    if (chosen && chosen.name === "discard_draft") forget(chosen.value);
  });

  // --- offering a draft back ------------------------------------------------------------------
  const notice = (field, text, version, at, onDiscard) => {
    const item = field.dataset.item;
    let box = document.getElementById(`draft-${item}`);
    if (!box) {
      box = document.createElement("div");
      box.className = "draft-found";
      box.id = `draft-${item}`;
      box.setAttribute("role", "status");
      field.closest(".minutes-editor").prepend(box);
    }
    box.replaceChildren();
    const line = document.createElement("p");
    line.textContent = (form.dataset.found || "{time}").replace("{time}", when(at));
    const restore = document.createElement("button");
    restore.type = "button";
    restore.className = "secondary draft-restore";
    restore.textContent = form.dataset.restore || "Restore";
    const discard = document.createElement("button");
    discard.type = "button";
    discard.className = "secondary outline draft-discard";
    discard.textContent = form.dataset.discard || "Discard";
    restore.addEventListener("click", () => {
      field.value = text;
      const input = versionInput(item);
      if (input) input.value = String(version); // saving then compares with what it read
      box.remove();
      field.focus();
      changed(field);
    });
    discard.addEventListener("click", () => {
      onDiscard();
      box.remove();
    });
    box.append(line, restore, discard);
  };

  fields.forEach((field) => {
    const item = field.dataset.item;
    const saved = Number(field.dataset.savedVersion || "0");
    const box = document.getElementById(`draft-${item}`);
    const server = box
      ? { text: box.dataset.serverDraft || "", version: Number(box.dataset.draftVersion), at: box.dataset.draftTime }
      : null;
    const locals = localDrafts(item).filter((d) => {
      const stale = d.sent && Number(d.version) < saved;
      if (stale || d.text.trim() === field.value.trim()) {
        localStorage.removeItem(d.key);
        return false;
      }
      return true;
    });
    const local = locals[0];
    const discardAll = () => {
      forget(item);
      post(form.dataset.draftsUrl, { items: [], discard: [Number(item)] });
    };
    if (local && (!server || local.at > server.at)) {
      notice(field, local.text, Number(local.version), local.at, discardAll);
    } else if (server) {
      notice(field, server.text, server.version, server.at, discardAll);
    }
  });

  // --- keeping what is typed --------------------------------------------------------------------
  const lastSent = new Map(fields.map((f) => [f.dataset.item, f.value]));
  const previewTimers = new Map();
  const preview = (field) => {
    const target = document.getElementById(`preview-${field.dataset.item}`);
    if (!target || !form.dataset.previewUrl) return;
    clearTimeout(previewTimers.get(field));
    previewTimers.set(
      field,
      setTimeout(() => {
        post(form.dataset.previewUrl, { text: field.value })
          .then((response) => (response.ok ? response.json() : null))
          .then((data) => {
            if (!data) return;
            target.innerHTML = data.html; // sanitised by the server's renderer
            target.hidden = !field.value.trim();
          })
          .catch(() => {});
      }, 400),
    );
  };
  const changed = (field) => {
    const item = field.dataset.item;
    const entry = { text: field.value, version: Number(versionInput(item)?.value || "0"), at: new Date().toISOString() };
    try {
      forget(item);
      if (field.value !== field.defaultValue) localStorage.setItem(keyOf(item), JSON.stringify(entry));
    } catch {
      // a full or disabled storage: the server drafts still keep it
    }
    preview(field);
  };
  fields.forEach((field) => {
    field.addEventListener("input", () => changed(field));
    if (field.value.trim()) preview(field);
  });
  const sendDrafts = () => {
    const items = fields
      .filter((f) => f.value !== lastSent.get(f.dataset.item))
      .map((f) => ({
        agenda_item_id: Number(f.dataset.item),
        text: f.value,
        version: Number(versionInput(f.dataset.item)?.value || "0"),
      }));
    if (!items.length || submitting) return;
    post(form.dataset.draftsUrl, { items })
      .then((response) => {
        if (response.ok) items.forEach((i) => lastSent.set(String(i.agenda_item_id), i.text));
      })
      .catch(() => {});
  };
  const every = Number(form.dataset.draftSeconds || "30") * 1000;
  setInterval(sendDrafts, every);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") sendDrafts();
  });
})();
