import './style.css';
import { routes } from './routes.js';

const apiBase = import.meta.env.VITE_API_BASE || '/api';

function render() {
  const view = routes[window.location.pathname] || routes['/'];
  document.getElementById('app').innerHTML = `${view()}<footer>API: ${apiBase}</footer>`;
}

document.addEventListener('click', (event) => {
  const link = event.target.closest('a[data-route]');
  if (!link) return;
  event.preventDefault();
  window.history.pushState({}, '', link.getAttribute('href'));
  render();
});
window.addEventListener('popstate', render);
render();
