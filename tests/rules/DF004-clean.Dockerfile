FROM python:3.12
ARG APP_HOME=/srv/app
WORKDIR $APP_HOME
COPY requirements.txt .
COPY . ./
VOLUME ["/data"]
WORKDIR static
CMD ["python", "main.py"]
