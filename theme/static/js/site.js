// "Copier le lien": without JavaScript the link simply points at the article.
document.addEventListener("click", function (event) {
  var link = event.target.closest("[data-copy]");
  if (!link || !navigator.clipboard) return;
  event.preventDefault();
  var status = link.closest(".share").querySelector("[role=status]");
  navigator.clipboard.writeText(new URL(link.dataset.copy, location.href).href).then(
    function () { status.textContent = link.dataset.done; },
    function () { status.textContent = link.dataset.fail; }
  );
});
