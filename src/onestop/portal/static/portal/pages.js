// Behaviour shared by the pages, kept out of the HTML: the Content-Security-Policy
// allows no inline script or event handler.
"use strict";

// A filter that applies as soon as it is chosen: <select data-submit-on-change>.
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-submit-on-change]");
  if (field && field.form) field.form.requestSubmit();
});
