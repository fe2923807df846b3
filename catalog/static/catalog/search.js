// Progressive: sorting applies as soon as a choice is made. Without JavaScript the
// "Sort" button does the same.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector(".sort-form");
  if (!form) return;
  const button = form.querySelector(".sort-apply");
  if (button) button.hidden = true;
  form.querySelector("select").addEventListener("change", () => form.submit());
});
