import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

/**
 * Every constraint message, each naming its field, as one line; nested objects included, and a field
 * that failed without a message still named.
 */
export function describeErrors(errors: ValidationError[]): string {
  const lines: string[] = [];
  const walk = (list: ValidationError[]): void => {
    for (const e of list) {
      const messages = Object.values(e.constraints ?? {});
      if (messages.length) lines.push(...messages);
      else if (!e.children?.length) lines.push(`${e.property} is invalid`);
      if (e.children?.length) walk(e.children);
    }
  };
  walk(errors);
  return [...new Set(lines)].join('; ');
}

/**
 * The services' global pipe (APP_PIPE): query strings and bodies are converted to their DTOs, unknown
 * fields refused, and a bad request answers 400 in the API's error shape with every broken rule.
 */
export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new BadRequestException(describeErrors(errors)),
  });
}
