import type { RuleDefinition } from './rule-kinds';

type Menu = RuleDefinition<'routing_menu'>;

/** A button or list row of ours carries the option's position: `menu:<index>`. */
export const MENU_CHOICE_PREFIX = 'menu:';

/** Lower case, punctuation as spaces, padded: a keyword matches as a whole word or phrase (" tax " is not in " taxi "). */
function words(text: string): string {
  return ` ${text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim()} `;
}

export function mentions(text: string, keywords: readonly string[]): boolean {
  const haystack = words(text);
  return keywords.some((keyword) => haystack.includes(words(keyword)));
}

/**
 * Which option the customer chose: the button or row they tapped, or what they typed: the option's number
 * ("2", "2."), its title, or one of its keywords. Undefined when the answer names none (or more than one by keyword).
 */
export function chosenOption(menu: Menu, answer: { choiceId: string | undefined; text: string }): number | undefined {
  if (answer.choiceId?.startsWith(MENU_CHOICE_PREFIX)) {
    const index = Number(answer.choiceId.slice(MENU_CHOICE_PREFIX.length));
    if (Number.isInteger(index) && index >= 0 && index < menu.options.length) return index;
  }
  const typed = answer.text.trim().toLowerCase();
  const number = /^(\d{1,2})[.)]?$/.exec(typed)?.[1];
  if (number !== undefined) {
    const index = Number(number) - 1;
    return index >= 0 && index < menu.options.length ? index : undefined;
  }
  const byTitle = menu.options.findIndex((o) => o.title.toLowerCase() === typed);
  if (byTitle >= 0) return byTitle;
  const byKeyword = menu.options.flatMap((o, index) => (mentions(typed, o.keywords) ? [index] : []));
  return byKeyword.length === 1 ? byKeyword[0] : undefined;
}

/** The menu as WhatsApp shows it: reply buttons for up to three options, a list for more (send-content's interactive). */
export function menuContent(menu: Menu, prompt: string): Record<string, unknown> {
  const id = (index: number) => `${MENU_CHOICE_PREFIX}${index}`;
  if (menu.options.length <= 3) {
    return {
      type: 'interactive',
      interactive: { type: 'button', body: { text: prompt }, action: { buttons: menu.options.map((o, index) => ({ type: 'reply', reply: { id: id(index), title: o.title } })) } },
    };
  }
  return {
    type: 'interactive',
    interactive: {
      type: 'list', body: { text: prompt },
      action: { button: menu.buttonText, sections: [{ rows: menu.options.map((o, index) => ({ id: id(index), title: o.title })) }] },
    },
  };
}
