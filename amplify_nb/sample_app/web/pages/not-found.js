import { registerFallback } from '../router.js';

// Any path the app has no page for. Reaching it at all proves the hosting's SPA fallback: the server had no
// file at this path and answered with index.html, and the app took over.
registerFallback({
  title: 'Not found',
  render(container, config, path) {
    const card = document.createElement('section');
    card.className = 'card';
    const heading = document.createElement('h1');
    heading.textContent = 'No such page';
    const text = document.createElement('p');
    text.id = 'not-found';
    text.textContent = `The app has no page at ${path}. `;
    const home = document.createElement('a');
    home.href = '/';
    home.dataset.link = '';
    home.textContent = 'Back to the home page';
    text.append(home);
    card.append(heading, text);
    container.append(card);
  },
});
