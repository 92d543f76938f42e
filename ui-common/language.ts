// The language switch of our two web screens, the guard's kiosk and the command centre's dashboard:
// Vietnamese first, English second, remembered in the browser, with the reason and decision words of
// src/contract/reason-words.ts, so every screen says what the CLI and the reports say.
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { DECISION_TEXT, REASON_TEXT } from '../src/contract/reason-words.js';
import { REASON_CODES } from '../src/contract/reasons.js';

export type Lang = 'vi' | 'en';

/** The words every screen shares: `reason.<CODE>` and `decision.<DECISION>`. */
function sharedWords(lang: Lang) {
  return {
    reason: Object.fromEntries(REASON_CODES.map((c) => [c, REASON_TEXT[c][lang]])),
    decision: Object.fromEntries(
      (Object.keys(DECISION_TEXT) as (keyof typeof DECISION_TEXT)[]).map((d) => [d, DECISION_TEXT[d][lang]]),
    ),
  };
}

/** One screen's switch, remembered under its own storage key. */
export function languageSwitch(storageKey: string) {
  const stored = (): Lang => {
    try {
      return localStorage.getItem(storageKey) === 'en' ? 'en' : 'vi';
    } catch {
      return 'vi';
    }
  };
  return {
    storedLang: stored,
    setLang(lang: Lang): void {
      try {
        localStorage.setItem(storageKey, lang);
      } catch {
        // Storage disabled: the switch holds for this session.
      }
      document.documentElement.lang = lang;
      void i18next.changeLanguage(lang);
    },
    /** Starts i18next with the screen's own texts beside the shared words. */
    init(texts: { vi: object; en: object }): void {
      const lng = stored();
      document.documentElement.lang = lng;
      void i18next.use(initReactI18next).init({
        lng,
        fallbackLng: 'vi',
        resources: {
          vi: { translation: { ...texts.vi, ...sharedWords('vi') } },
          en: { translation: { ...texts.en, ...sharedWords('en') } },
        },
        interpolation: { escapeValue: false },
        initAsync: false,
      });
    },
  };
}
