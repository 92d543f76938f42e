// Renderer entry: fonts (bundled with every subset, Vietnamese included: kiosks have no internet),
// styles, i18n, the kiosk API client, then the scan screen.
import '@fontsource/be-vietnam-pro/400.css';
import '@fontsource/be-vietnam-pro/600.css';
import '@fontsource/be-vietnam-pro/800.css';
import './styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { z } from 'zod';
import { App } from './App.js';
import { createUiClient } from './api/client.js';
import { initI18n } from './i18n.js';

// zod would probe `new Function` for speed; the page's CSP forbids eval, so tell it not to try.
z.config({ jitless: true });
initI18n();

const root = document.getElementById('root');
if (!root) throw new Error('#root missing from index.html');
createRoot(root).render(
  <StrictMode>
    <App ui={createUiClient()} />
  </StrictMode>,
);
