// The page's script: asks the routine (same origin, /api/...) for a greeting.
const target = document.querySelector('#greeting');
fetch('/api/greet?name=page')
  .then((response) => response.text())
  .then((text) => {
    if (target) target.textContent = text;
  });
