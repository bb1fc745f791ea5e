# The production image: one image for web (ASGI), worker and beat.
FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 DOEPLEIN_VAR_DIR=/var/lib/doeplein
RUN apt-get update && apt-get install -y --no-install-recommends gettext libjpeg62-turbo zlib1g curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . /app
RUN pip install . && useradd --system --home /var/lib/doeplein doeplein && mkdir -p /var/lib/doeplein \
    && chown doeplein /var/lib/doeplein
RUN DEBUG=1 python manage.py collectstatic --noinput
USER doeplein
EXPOSE 8000
CMD ["uvicorn", "doeplein.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--proxy-headers", "--forwarded-allow-ips=*", "--ws-per-message-deflate", "false"]
