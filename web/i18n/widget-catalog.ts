import { createCatalog, type Locale } from './index.ts';
import en from './locales/en/widget.json' with { type: 'json' };
import de from './locales/de/widget.json' with { type: 'json' };
import fr from './locales/fr/widget.json' with { type: 'json' };
import fi from './locales/fi/widget.json' with { type: 'json' };
import sv from './locales/sv/widget.json' with { type: 'json' };

/** The widget's texts in every locale (bundled: about 5 KB per language, and switching must be instant). */
const catalog = createCatalog({
  en: { widget: en },
  de: { widget: de },
  fr: { widget: fr },
  fi: { widget: fi },
  sv: { widget: sv },
});

export const widgetTranslator = (locale: Locale) => catalog(locale, 'widget');
