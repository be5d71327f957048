// A tiny client-side router: pages register a path; links marked data-link navigate without reloading.
// Unknown paths render the fallback page, so deep links work once the hosting answers them with index.html.

const routes = new Map();
const guards = [];
let fallback = null;

export function registerPage(path, page) {
  // page: { title, render(container, config), nav: true|false }
  routes.set(path, page);
}

export function registerFallback(page) {
  fallback = page;
}

export function addGuard(guard) {
  // guard(path, config) -> a page to show instead (e.g. sign-in before any page), or null to go on
  guards.push(guard);
}

export function navItems() {
  return [...routes.entries()].filter(([, page]) => page.nav !== false).map(([path, page]) => ({ path, title: page.title }));
}

export function navigate(path) {
  history.pushState({}, '', path);
  window.dispatchEvent(new Event('popstate'));
}

export function startRouter(container, config, onRoute) {
  const show = () => {
    const path = window.location.pathname.replace(/\/index\.html$/, '/') || '/';
    const page = guards.map((guard) => guard(path, config)).find(Boolean) || routes.get(path) || fallback;
    container.replaceChildren();
    document.title = `${page.title} · ${config.project.name}`;
    page.render(container, config, path);
    if (onRoute) onRoute(path);
  };
  document.addEventListener('click', (event) => {
    const link = event.target.closest('a[data-link]');
    if (link && link.origin === window.location.origin) {
      event.preventDefault();
      navigate(link.pathname);
    }
  });
  window.addEventListener('popstate', show);
  show();
}
