// The share button: the system's share sheet where the browser has one,
// else the link is copied and the button says so. Nothing is loaded from
// another site. The button stays hidden when this does not run.
for (const box of document.querySelectorAll('[data-share]')) {
  const button = box.querySelector('button');
  const status = box.querySelector('[role="status"]');
  box.hidden = false;
  button.addEventListener('click', async () => {
    const { url, title, copied } = button.dataset;
    if (navigator.share) {
      try {
        await navigator.share({ title, url });
        return;
      } catch (error) {
        if (error.name === 'AbortError') return;
      }
    }
    try {
      await navigator.clipboard.writeText(url);
      status.textContent = copied;
    } catch {
      status.textContent = url;
    }
  });
}
