import { registerPage } from '../router.js';

// Which parts of the backend aws-exports.js describes so far (each later notebook adds one).
const FEATURES = [
  ['Hosting', 'aws_content_delivery_bucket', '02-hosting'],
  ['Sign-in (Cognito user pool)', 'aws_user_pools_id', '03-auth'],
  ['REST API', 'aws_cloud_logic_custom', '04-api'],
];

function row(label, value) {
  const tr = document.createElement('tr');
  const th = document.createElement('th');
  const td = document.createElement('td');
  th.textContent = label;
  td.textContent = value;
  tr.append(th, td);
  return tr;
}

registerPage('/', {
  title: 'Home',
  render(container, config) {
    const card = document.createElement('section');
    card.className = 'card';
    const heading = document.createElement('h1');
    heading.textContent = `Welcome to ${config.project.name}`;
    const intro = document.createElement('p');
    intro.id = 'welcome';
    const setups = { DEV: 'DEV hosting (an S3 website)', PROD: 'PROD hosting (S3 behind CloudFront)' };
    intro.textContent = `This page is served by the ${setups[config.project.hosting] || 'hosting'} of env `
      + `${config.project.env}.`;
    const table = document.createElement('table');
    table.append(
      row('Project', config.project.name),
      row('Environment', config.project.env),
      row('Region', config.aws.aws_project_region || 'unknown'),
      row('Hosting bucket', config.aws.aws_content_delivery_bucket || 'not pushed yet'),
      row('Hosting URL', config.aws.aws_content_delivery_url || 'not pushed yet'),
    );
    const features = document.createElement('ul');
    features.className = 'features';
    for (const [label, key, notebook] of FEATURES) {
      const item = document.createElement('li');
      const ready = config.aws[key] !== undefined;
      item.className = ready ? 'ready' : 'pending';
      item.textContent = ready ? `✔ ${label}` : `… ${label} (notebook ${notebook})`;
      features.append(item);
    }
    card.append(heading, intro, table, features);
    if (config.aws.aws_cloud_logic_custom?.length) {
      const link = document.createElement('a');
      link.id = 'to-beers';
      link.href = '/beers';
      link.dataset.link = '';
      link.textContent = 'Open the beer list →';
      const line = document.createElement('p');
      line.append(link);
      card.append(line);
    }
    for (const problem of config.problems) {
      const warning = document.createElement('p');
      warning.className = 'warning';
      warning.textContent = `Could not load ${problem}`;
      card.append(warning);
    }
    container.append(card);
  },
});
