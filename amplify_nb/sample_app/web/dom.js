// Building the DOM without a framework: element('p', {id: 'x', text: 'hello', onclick: f}, child, ...).
// `text` sets textContent (never HTML, so what the API or a user typed is shown, not run); on* adds a listener.
export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'text') node.textContent = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}
