// What every page's script does: skip links move the keyboard focus to their target (browsers only scroll to
// it), so the next Tab starts there.
for (const skip of document.querySelectorAll('a.skip-link')) {
  skip.addEventListener('click', (event) => {
    const target = document.getElementById(skip.hash.slice(1));
    if (!target) return;
    event.preventDefault();
    if (!target.hasAttribute('tabindex')) target.tabIndex = -1;
    target.focus();
    target.scrollIntoView();
  });
}
