import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';

// Only what the dashboard draws (bar charts), so the bundle carries no unused controllers.
Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);
Chart.defaults.font.family =
  getComputedStyle(document.documentElement).getPropertyValue('--font').trim() || 'system-ui, sans-serif';
Chart.defaults.font.size = 12;
Chart.defaults.color = '#4b5563';
Chart.defaults.borderColor = '#eceef1';

export type BarConfig = ChartConfiguration<'bar', Array<number | null>, string>;
export { Chart };

/** The channels' colours, the same as their badges in the inbox. */
export const channelColors: Record<string, string> = {
  chat: '#1f5fd1',
  email: '#6b3fc4',
  sms: '#0b6e66',
  voice: '#9a4a07',
  slack: '#8a2a6e',
};
