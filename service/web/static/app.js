// Progressive enhancement of the review pages; every page works without it.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // "select all" checkboxes tick every checkbox of the group they name
  for (const box of document.querySelectorAll("input[data-select-all]")) {
    box.addEventListener("change", () => {
      const group = box.getAttribute("data-select-all");
      for (const item of document.querySelectorAll("input[type=checkbox]")) {
        if (item.name === group) {
          item.checked = box.checked;
        }
      }
    });
  }
  // a rejection needs a reason: point at the field before the round trip
  for (const form of document.querySelectorAll("form.decide")) {
    form.addEventListener("submit", (event) => {
      const reason = form.querySelector("input[name=reason]");
      const button = event.submitter;
      if (button && button.value === "reject" && reason && !reason.value.trim()) {
        event.preventDefault();
        reason.setAttribute("aria-invalid", "true");
        reason.focus();
      }
    });
  }
});
