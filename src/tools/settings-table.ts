/** Prints the settings table the README carries (checked by test/unit/config.test.ts). */
import { settingsTable } from '../config.ts';

process.stdout.write(`${settingsTable()}\n`);
