/** The console's entry point (services/console/web/index.html loads it as the only script). */
import { render } from 'preact';
import { App } from './app';
import './styles.css';

render(<App />, document.getElementById('app')!);
