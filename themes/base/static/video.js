// Video facades: a poster and a play button that link to the video. Nothing
// is requested from the video's site until a reader clicks; then the player
// replaces the facade. Without JavaScript the link opens the video's page.
// Loaded as a module, so a page with several videos runs it once.
document.addEventListener('click', (event) => {
  const facade = event.target.closest('a.video-facade[data-embed]');
  if (!facade || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  const player = document.createElement('iframe');
  player.src = facade.dataset.embed;
  player.title = facade.dataset.title || '';
  player.allow = 'autoplay; encrypted-media; fullscreen; picture-in-picture; clipboard-write';
  player.allowFullscreen = true;
  player.referrerPolicy = 'strict-origin-when-cross-origin';
  facade.replaceWith(player);
  player.focus();
});
