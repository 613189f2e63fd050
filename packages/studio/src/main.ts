// The studio page's entry point (bundled to dist/studio.js).
import { StudioApp } from './studio-app';

void new StudioApp().start();
