/** Path data (24×24 grid) of the widget's filled icons that more than one component, or a long line, needs. */

/** The privacy shield with a check mark (header button, consent notice, privacy panel). */
export const SHIELD_PATH =
  'M12 1 3 5v6c0 5.55 3.84 10.74 9 12 5.16-1.26 9-6.45 9-12V5l-9-4zm-2 16-4-4 1.41-1.41L10 14.17l6.59-6.59L18 9l-8 8z';

/** A cross: close the widget. */
export const CLOSE_PATH =
  'M18.3 5.71 12 12.01l-6.3-6.3-1.41 1.41 6.3 6.3-6.3 6.3 1.41 1.41 6.3-6.3 6.3 6.3 1.41-1.41-6.3-6.3 6.3-6.3z';

/** A paper plane: send the message. */
export const SEND_PATH =
  'M3.4 20.4 20.85 12.92a1 1 0 0 0 0-1.84L3.4 3.6a.99.99 0 0 0-1.39.91L2 9.12c0 .5.37.93.87.99L17 12 ' +
  '2.87 13.88c-.5.07-.87.5-.87 1l.01 4.61c0 .71.73 1.2 1.39.91z';
