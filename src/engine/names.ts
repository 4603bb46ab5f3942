// Generated container names, adjective_surname, in the spirit of Docker's
// namesgenerator (scientists and engineers, shorter lists).
import { randomInt } from 'node:crypto';

const ADJECTIVES = [
  'admiring', 'adoring', 'affectionate', 'amazing', 'awesome', 'blissful', 'bold', 'brave', 'charming', 'clever',
  'compassionate', 'competent', 'confident', 'cool', 'dazzling', 'determined', 'eager', 'ecstatic', 'elegant', 'epic',
  'festive', 'focused', 'friendly', 'gallant', 'gifted', 'goofy', 'happy', 'hopeful', 'jolly', 'keen', 'kind',
  'laughing', 'loving', 'magical', 'modest', 'nifty', 'nostalgic', 'optimistic', 'peaceful', 'practical', 'quirky',
  'relaxed', 'serene', 'sharp', 'stoic', 'sweet', 'tender', 'trusting', 'upbeat', 'vibrant', 'wizardly', 'zealous',
];
const SURNAMES = [
  'agnesi', 'albattani', 'allen', 'archimedes', 'babbage', 'bardeen', 'bartik', 'bohr', 'borg', 'brattain', 'cerf',
  'curie', 'darwin', 'dijkstra', 'einstein', 'elion', 'euclid', 'euler', 'faraday', 'fermat', 'fermi', 'feynman',
  'galileo', 'gauss', 'goldberg', 'goodall', 'hamilton', 'hawking', 'hopper', 'hypatia', 'johnson', 'kepler',
  'knuth', 'lamarr', 'lovelace', 'mccarthy', 'meitner', 'morse', 'newton', 'noether', 'pascal', 'ritchie',
  'shannon', 'thompson', 'torvalds', 'turing', 'volhard', 'wozniak', 'yalow',
];

export function generateName(taken: (name: string) => boolean): string {
  for (let i = 0; ; i++) {
    const name = `${ADJECTIVES[randomInt(ADJECTIVES.length)]}_${SURNAMES[randomInt(SURNAMES.length)]}${i > 10 ? randomInt(10) : ''}`;
    if (!taken(name)) return name;
  }
}
