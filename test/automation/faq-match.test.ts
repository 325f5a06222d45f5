import { bestAnswer, terms } from '../../core/automation/faq-match';
import { ruleKinds } from '../../core/automation/rule-kinds';

const faq = (minScore?: number) => ruleKinds.faq.parse({
  entries: [
    { question: 'What are your opening hours?', answer: 'Mon–Fri 9–17.', keywords: ['opening times'] },
    { question: 'How do I return an item?', answer: 'Use the returns form.' },
    { question: 'How long does shipping take?', answer: '2–4 days.', keywords: ['Delivery time'] },
  ],
  ...(minScore === undefined ? {} : { minScore }),
});

test('terms drop punctuation, stop words and a plural s', () => {
  expect(terms('Hi! What are your Opening-Hours, please?')).toEqual(['opening', 'hour']);
  expect(terms('address class')).toEqual(['address', 'class']);
});

test('a question with the entry\'s words is answered, a typo in a long word forgiven', () => {
  expect(bestAnswer(faq(), 'what are your opening hours on saturday')).toEqual({ index: 0, score: 1 });
  expect(bestAnswer(faq(), 'how long does shiping take to madrid')).toEqual({ index: 2, score: 1 });
});

test('a keyword phrase wins outright, case and punctuation aside', () => {
  expect(bestAnswer(faq(), 'DELIVERY-TIME to Spain?')).toEqual({ index: 2, score: 1 });
  expect(bestAnswer(faq(), 'your opening times?')).toEqual({ index: 0, score: 1 });
});

test('too few of the entry\'s words, or a tie, goes to a person', () => {
  expect(bestAnswer(faq(), 'I want to return my shoes')).toBeUndefined(); // 1 of 2 words: 0.5 < 0.6
  expect(bestAnswer(faq(0.5), 'I want to return my shoes')).toEqual({ index: 1, score: 0.5 });
  const tied = ruleKinds.faq.parse({ entries: [{ question: 'refund policy', answer: 'a' }, { question: 'refund status', answer: 'b' }], minScore: 0.5 });
  expect(bestAnswer(tied, 'refund?')).toBeUndefined();
  expect(bestAnswer(faq(), '!!!')).toBeUndefined();
});
