/**
 * A host element for DOM that another library owns (CodeMirror, xterm.js). Invariant: Preact
 * renders it once and never again, so a re-render of the view around it never reconciles the
 * library's nodes away (CodeMirror watches its DOM and would rebuild it, and the two would fight).
 */
import { Component, type RefObject } from 'preact';

export class ForeignDom extends Component<{ class: string; hostRef: RefObject<HTMLDivElement | null> }> {
  override shouldComponentUpdate(): boolean {
    return false;
  }

  override render() {
    return <div class={this.props.class} ref={this.props.hostRef} />;
  }
}
