/** The console's first page for every admin: who you are, what your role may do, where to go. */
import { PAGES, type PageProps } from '../pages';
import { roleName } from '../roles';

export default function HomePage({ lang, t, powers, role }: PageProps) {
  const mine = PAGES.filter((p) => p.id !== 'home' && (p.power === null || powers.has(p.power)));
  return (
    <section className="adm-home">
      <p>
        {t('You are signed in as', '你的角色：')} <strong>{roleName(role, lang)}</strong>.
      </p>
      {mine.length > 0 && (
        <ul className="adm-home-links">
          {mine.map((p) => (
            <li key={p.id}>
              <a href={`#/${p.id}`}>
                <span aria-hidden="true">{p.icon}</span> {p.title[lang]}
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
