// The sample app's entry point: load the backend config, fill the header, register the pages, route.
// Later steps add pages (sign-in, beers) by importing their module below; each registers itself.
import { loadConfig } from './config.js';
import { navItems, startRouter } from './router.js';
import './pages/home.js';
import './pages/not-found.js';
import './pages/sign-in.js';
import './pages/beers.js';

function fill(field, text) {
  for (const element of document.querySelectorAll(`[data-field="${field}"]`)) element.textContent = text;
}

function renderNav(current) {
  const nav = document.getElementById('nav');
  nav.replaceChildren(...navItems().map(({ path, title }) => {
    const link = document.createElement('a');
    link.href = path;
    link.textContent = title;
    link.dataset.link = '';
    if (path === current) link.setAttribute('aria-current', 'page');
    return link;
  }));
}

const config = await loadConfig();
window.appConfig = config; // handy in the browser console
fill('project-name', config.project.name);
fill('env-name', config.project.env);
fill('region', config.aws.aws_project_region || '?');
startRouter(document.getElementById('app'), config, renderNav);
