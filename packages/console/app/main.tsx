import '@keymint/react/styles.css';
import './console.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { storeCredential, storedCredential, takeFragmentSession } from './credential.js';

// A handed-over session wins over whatever this tab held before.
const handedOver = takeFragmentSession(location, history);
if (handedOver) storeCredential(handedOver);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App initial={handedOver ?? storedCredential()} />
  </StrictMode>,
);
