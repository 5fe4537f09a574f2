// The lesson panel: title, step text (Markdown, HTML in it shown as text), question, navigation, language.
import { Marked } from 'marked';

const UI_TEXT = {
  en: { prev: 'Previous', next: 'Next', step: 'Step', of: 'of', vr: 'Enter VR', exitVr: 'Exit VR',
    right: 'Right!', wrong: 'Not quite. Try again.', hint: 'Hint', language: 'Language', pick: 'Click a part to answer.' },
  zh: { prev: '上一步', next: '下一步', step: '第', of: '/', vr: '进入 VR', exitVr: '退出 VR',
    right: '正确！', wrong: '不太对，再试一次。', hint: '提示', language: '语言', pick: '点击一个部位来回答。' },
  es: { prev: 'Anterior', next: 'Siguiente', step: 'Paso', of: 'de', vr: 'Entrar en RV', exitVr: 'Salir de RV',
    right: '¡Correcto!', wrong: 'No exactamente. Inténtalo de nuevo.', hint: 'Pista', language: 'Idioma',
    pick: 'Haz clic en una parte para responder.' },
  fr: { prev: 'Précédent', next: 'Suivant', step: 'Étape', of: 'sur', vr: 'Entrer en RV', exitVr: 'Quitter la RV',
    right: 'Exact !', wrong: 'Pas tout à fait. Réessaie.', hint: 'Indice', language: 'Langue',
    pick: 'Clique sur une partie pour répondre.' },
};

export function uiText(lang) {
  return UI_TEXT[lang] || UI_TEXT[lang.split('-')[0]] || UI_TEXT.en;
}

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

// Scene files are untrusted: raw HTML is shown as text, links only to web or relative addresses.
const markdown = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    html(token) { return escapeHtml(token.text || token.raw || ''); },
    link(token) {
      const href = token.href || '';
      const safe = /^(https?:|mailto:|#|\.{0,2}\/|[\w-]+\.(html|png|jpg)$)/i.test(href) && !/^\s*javascript:/i.test(href);
      const text = this.parser.parseInline(token.tokens);
      return safe ? `<a href="${escapeHtml(href)}" target="_blank" rel="noopener">${text}</a>` : text;
    },
    image(token) { return escapeHtml(token.text || ''); },
  },
});

export function renderMarkdown(text) {
  return markdown.parse(text || '');
}

export function createPanel(root, lesson, handlers) {
  root.innerHTML = `
    <header><h1 class="lesson-title"></h1>
      <label class="language"><span class="language-label"></span> <select></select></label></header>
    <h2 class="step-title"></h2>
    <div class="step-text"></div>
    <div class="question" hidden><p class="prompt"></p><p class="feedback" aria-live="polite"></p>
      <button class="hint-button" type="button"></button><p class="hint" hidden></p></div>
    <p class="picked" aria-live="polite"></p>
    <nav><button class="prev" type="button"></button><span class="counter"></span>
      <button class="next" type="button"></button></nav>
    <button class="vr" type="button" hidden></button>`;
  const select = root.querySelector('select');
  for (const lang of lesson.languages) {
    const option = document.createElement('option');
    option.value = lang;
    option.textContent = lang;
    select.appendChild(option);
  }
  select.addEventListener('change', () => handlers.language(select.value));
  root.querySelector('.prev').addEventListener('click', handlers.previous);
  root.querySelector('.next').addEventListener('click', handlers.next);
  root.querySelector('.hint-button').addEventListener('click', () => { root.querySelector('.hint').hidden = false; });
  root.querySelector('.vr').addEventListener('click', handlers.vr);
  return root;
}

export function showStep(root, lesson, index, lang) {
  const t = uiText(lang);
  const step = index === null ? null : lesson.steps[index];
  const pick = (texts) => (texts ? texts[lang] || Object.values(texts)[0] : '');
  root.querySelector('.lesson-title').textContent = pick(lesson.lesson_title || lesson.title);
  root.querySelector('.language-label').textContent = t.language;
  root.querySelector('select').value = lang;
  root.querySelector('.step-title').textContent = step ? pick(step.title) : '';
  root.querySelector('.step-text').innerHTML = step ? renderMarkdown(pick(step.text)) : '';
  const question = root.querySelector('.question');
  question.hidden = !(step && step.question);
  if (step && step.question) {
    root.querySelector('.prompt').textContent = `${pick(step.question.prompt)} ${t.pick}`;
    root.querySelector('.feedback').textContent = '';
    const hint = pick(step.question.hint);
    root.querySelector('.hint').textContent = hint;
    root.querySelector('.hint').hidden = true;
    root.querySelector('.hint-button').hidden = !hint;
    root.querySelector('.hint-button').textContent = t.hint;
  }
  root.querySelector('.picked').textContent = '';
  const count = lesson.steps.length;
  root.querySelector('nav').hidden = count === 0;
  root.querySelector('.prev').textContent = `← ${t.prev}`;
  root.querySelector('.next').textContent = `${t.next} →`;
  root.querySelector('.prev').disabled = !index;
  root.querySelector('.next').disabled = index === null || index >= count - 1;
  root.querySelector('.counter').textContent = count ? `${t.step} ${index + 1} ${t.of} ${count}` : '';
  root.querySelector('.vr').textContent = t.vr;
}

export function showAnswer(root, lang, right) {
  const t = uiText(lang);
  const feedback = root.querySelector('.feedback');
  feedback.textContent = right ? t.right : t.wrong;
  feedback.className = `feedback ${right ? 'right' : 'wrong'}`;
}

export function showPicked(root, lesson, id, lang) {
  const info = lesson.names[id];
  if (!info) return;
  const name = info.name[lang] || id;
  const description = info.description ? info.description[lang] : '';
  root.querySelector('.picked').textContent = description ? `${name}: ${description}` : name;
}
