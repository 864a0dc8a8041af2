console.log("middleware module loaded");
export const onRequest = (_ctx: unknown, next: () => Promise<Response>) => next();
