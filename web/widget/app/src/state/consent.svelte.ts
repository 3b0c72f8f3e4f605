import type { WidgetConfig } from '../lib/api.ts';

type Purpose = WidgetConfig['notice']['purposes'][number];

/** The notice's checkboxes. Every purpose starts unticked; required ones gate the Start button. */
export class ConsentForm {
  checked = $state<Record<string, boolean>>({});
  submitting = $state(false);
  error = $state<string | null>(null);

  canSubmit(purposes: Purpose[]): boolean {
    return (
      !this.submitting &&
      purposes.filter((p) => p.required || p.purpose === 'support').every((p) => this.checked[p.purpose] === true)
    );
  }

  reset(): void {
    this.checked = {};
    this.submitting = false;
    this.error = null;
  }
}
